"""The ``--help`` texts in Dutch, by command and option.

The English texts are the commands' docstrings and the options' ``help=``
(they also make the generated command reference). Here is the Dutch for each,
keyed by the command's path (``"import registrations"``, ``"participatie"``
for the main command) or by ``"PATH --option"``; ``"* --option"`` serves an
option that means the same everywhere. A test fails when a command or option
has no Dutch text, so the two cannot drift apart silently.
"""

from __future__ import annotations

from typing import Final

__all__ = ["HELP_NL"]

HELP_NL: Final[dict[str, str]] = {
    # --- shared by every command ----------------------------------------------
    "* --lang": "Taal van de uitvoer: nl (Nederlands) of en (Engels).",
    "* --help": "Toon deze hulp en stop.",
    "* --event": "De bijeenkomst (standaard: die van het bijeenkomstbestand, of de enige).",
    "* --requested-by": (
        "Uw e-mailadres: bestanden met namen komen ermee in het privacylogboek (standaard: "
        "PARTICIPATIE_REQUESTED_BY)."
    ),
    # --- the main command ------------------------------------------------------
    "participatie": (
        "Participatiebijeenkomsten organiseren vanaf de opdrachtregel.\n\n"
        "Beschrijf de bijeenkomst in een bestand (participatie init, check, event save), "
        "importeer de aanmeldingen uit de export van uw formulier (participatie import "
        "registrations), en zet elke volgende stap: mensen aanmelden en afmelden, "
        "aanbiedingen, de wachtlijst, plaatsen, lijsten en geschiedenis; sessies op voorkeur "
        "en gespreksgroepen (groups); agendabestanden (calendar); inbreng per centrale vraag "
        "(input); het concept en de feedbackrondes (feedback); en het rapport (report)."
    ),
    "participatie --lang": (
        "Taal van de uitvoer: nl (Nederlands) of en (Engels). Standaard: "
        "PARTICIPATIE_LANG, anders de taalinstelling, anders Nederlands."
    ),
    "participatie --file": (
        "Het bijeenkomstbestand (standaard: participatie.toml in deze map, als dat er is)."
    ),
    "participatie --store": (
        "Waar de gegevens staan, bijvoorbeeld sqlite:///participatie.db (standaard: de "
        "[store] url van het bijeenkomstbestand, anders sqlite:///participatie.db)."
    ),
    "participatie --now": (
        'Doe alsof het dit moment is ("maandag 26 oktober 2020 9.00 uur"): om te '
        "oefenen en om na te spelen wat er gebeurde."
    ),
    "participatie --version": "Toon de versie en stop.",
    "participatie epilog": (
        "\b\nAfsluitcodes: 0 klaar; 1 geweigerd (een regel, geweigerde rijen, een bestand\n"
        "met problemen); 2 verkeerde opdrachtregel; 3 bijeenkomst, sessie of aanmelding\n"
        "niet gevonden; 4 fout in de opslag of een plugin; 130 onderbroken."
    ),
    # --- the event file ----------------------------------------------------------
    "init": (
        "Schrijf een bijeenkomstbestand met uitleg om mee te beginnen "
        "(PATH: participatie.toml).\n\n"
        "Het bestand is in het Nederlands, of in het Engels met --lang en; de datums "
        "liggen een paar weken vooruit. participatie check keurt het goed zoals het is: "
        "pas het aan, controleer het, sla het op."
    ),
    "init --key": "De sleutel van de bijeenkomst (standaard: mijn-bijeenkomst/my-event).",
    "init --force": "Overschrijf het bestand als het al bestaat.",
    "check": (
        "Controleer een bijeenkomstbestand en meld elk probleem met zijn regel.\n\n"
        "FILE is standaard het bijeenkomstbestand in gebruik (--file, of "
        "participatie.toml). Eindigt met 1 als er problemen zijn, en noemt ze allemaal "
        "als BESTAND:REGEL."
    ),
    "event": "Bijeenkomsten opslaan en bekijken.",
    "event save": (
        "Sla de bijeenkomst op die in FILE beschreven staat (standaard: het "
        "bijeenkomstbestand in gebruik).\n\n"
        "Doe het opnieuw na een wijziging: sessies worden bijgewerkt, en als er plaatsen "
        "bijkomen, krijgen wachtenden die meteen. Een sessie met aanmeldingen kan niet "
        "worden verwijderd."
    ),
    "event show": "Toon een opgeslagen bijeenkomst: vraagbaak, centrale vragen en sessies.",
    "event list": "Toon de opgeslagen bijeenkomsten.",
    # --- import --------------------------------------------------------------------
    "import": "Importeer gegevens uit andere programma's.",
    "import registrations": (
        "Importeer de aanmeldingen in FILE (.csv of .xlsx), de export van een "
        "aanmeldformulier.\n\n"
        "Zonder --apply is dit een proefimport: u ziet wat erbij zou komen, wat dubbel "
        "is, en elke geweigerde rij met de reden (ongeldig e-mailadres, geen "
        "toestemming, niet voor deze doelgroep, na de deadline, ...). Met --apply worden "
        "de aanmeldingen in één keer opgeslagen; zolang er rijen geweigerd zijn, wordt "
        "er niets opgeslagen, tenzij ook --skip-refused is gegeven. Hetzelfde bestand "
        "opnieuw importeren voegt niets dubbel toe.\n\n"
        "Kolommen worden gevonden via [import.columns] in het bijeenkomstbestand, via "
        "--column, of aan gangbare Nederlandse en Engelse kolomnamen. Eindigt met 1 als "
        "er een rij geweigerd is."
    ),
    "import registrations --apply": "Sla de aanmeldingen op (standaard: proefimport).",
    "import registrations --skip-refused": (
        "Met --apply: sla de andere rijen op, ook al zijn er rijen geweigerd."
    ),
    "import registrations --column": (
        "Welke kolom een veld bevat, bijv. --column email='E-mailadres'. Herhaalbaar. "
        "Velden: name, first_name, infix, last_name, email, audience, organisation, "
        "phone, language, consent, session, submitted_at."
    ),
    "import registrations --session": "Zet elke rij in deze sessie.",
    "import registrations --audience": "Geef elke rij deze doelgroep.",
    "import registrations --delimiter": "Het scheidingsteken (standaard: herkend).",
    "import registrations --encoding": "De tekenset (standaard: herkend).",
    "import registrations --sheet": "Voor .xlsx: het werkblad (standaard: het eerste).",
    "import registrations --refused-csv": (
        "Schrijf de geweigerde rijen, met de reden, naar dit CSV-bestand."
    ),
    "import registrations --summary": "Tel alleen de toe te voegen en dubbele rijen.",
    # --- registrations ----------------------------------------------------------------
    "register": (
        "Meld één persoon aan voor een sessie: een plaats, of een plaats op de "
        "wachtlijst.\n\n"
        "Voor wie zich telefonisch of bij de vraagbaak aanmeldde. Dezelfde regels gelden "
        "als voor het formulier: de aanmeldperiode, de doelgroep, toestemming."
    ),
    "register --session": "De sessie.",
    "register --name": "De naam van de persoon.",
    "register --email": "Het e-mailadres van de persoon.",
    "register --audience": "De doelgroep (nodig als de bijeenkomst er meer heeft).",
    "register --organisation": "De organisatie waar de persoon bij hoort.",
    "register --phone": "Een telefoonnummer.",
    "register --language": "De taal van de berichten aan de persoon.",
    "register --consent": (
        "De persoon gaf toestemming om de gegevens te verwerken (nu, voor de "
        "toestemmingstekst van de bijeenkomst)."
    ),
    "cancel": "Meld een aanmelding af; de vrije plaats gaat naar de eerste wachtende.",
    "cancel --by-organiser": ("Meld ook na de wijzigingsdeadline af (iemand belde de vraagbaak)."),
    "accept": "Neem een aangeboden plaats aan (voordat het aanbod verloopt).",
    "decline": "Wijs een aangeboden plaats af; de volgende wachtende krijgt hem aangeboden.",
    "attendance": "Leg vast wie er was, of wie niet kwam, na de sessie.",
    "attendance --present": "Was aanwezig (standaard), of kwam niet (afwezig).",
    "* --session": "Alleen deze sessie (standaard: alle).",
    "cancel --session": "De sessie, als de persoon voor meer dan één sessie is aangemeld.",
    "accept --session": "De sessie, als de persoon voor meer dan één sessie is aangemeld.",
    "decline --session": "De sessie, als de persoon voor meer dan één sessie is aangemeld.",
    "attendance --session": "De sessie, als de persoon voor meer dan één sessie is aangemeld.",
    "history --session": "De sessie, als de persoon voor meer dan één sessie is aangemeld.",
    "waiting-list": (
        "Toon de wachtlijst van elke sessie, de eerste wachtende eerst, en open aanbiedingen."
    ),
    "places": "Toon hoe vol elke sessie is: plaatsen, bezet, aangeboden, wachtend, vrij.",
    "registrations": "Toon aanmeldingen: nummer, sessie, naam, e-mail, organisatie, status.",
    "registrations --state": "Alleen aanmeldingen met deze status. Herhaalbaar.",
    "registrations --format": (
        "table om te lezen, csv voor een spreadsheet (veilig tegen formules), json voor scripts."
    ),
    "expire-offers": (
        "Laat verlopen aanbiedingen vervallen en bied de plaatsen aan de volgenden aan.\n\n"
        "Aanbiedingen vervallen ook bij elke wijziging in hun sessie; draai dit vanuit "
        "een planner (cron), zodat plaatsen doorschuiven als er verder niets gebeurt."
    ),
    "history": "Toon elke wijziging van de status van één aanmelding, de oudste eerst.",
    # --- groups -------------------------------------------------------------------------
    "groups": "Sessies op voorkeur, gespreksgroepen, uitleg en groepslijsten.",
    "groups assign": (
        "Deel mensen in over de sessies volgens de gerangschikte keuzes in FILE (.csv of "
        ".xlsx).\n\n"
        "Elke rij is een persoon (naam, e-mailadres, doelgroep) met de 1e, 2e, ... keuze "
        "van sessie (de sleutel, de titel, of een antwoord uit [import.sessions]). Rijen die "
        "niet te gebruiken zijn, staan er met de reden bij. Zonder --apply is dit een proef; "
        "met --apply wordt de indeling opgeslagen en iedereen aangemeld: wie geplaatst is in "
        "de sessie, de anderen op de wachtlijst van hun eerste keuze. Lotnummers blijven "
        "bewaard, dus opnieuw indelen met late aanmeldingen verplaatst niemand die bericht "
        "kreeg (zie groups freeze)."
    ),
    "groups assign --mode": (
        "stable: betere lotnummers kiezen eerst, niemand benijdt een slechter nummer. "
        "optimal: zo min mogelijk mensen op de wachtlijst, dan de beste keuzes."
    ),
    "groups assign --seed": "Het startgetal van de loting (schrijf het op).",
    "groups assign --priority": (
        "Een voorrangsklasse per doelgroep: lagere klassen kiezen eerst, bijv. --priority "
        "expert-by-experience=0 --priority client=1. Niet genoemde doelgroepen komen als "
        "laatste. Een kolom 'voorrang' in het bestand gaat voor. Herhaalbaar."
    ),
    "groups assign --move-penalty": (
        "Alleen optimal: wie zijn sessie al hoorde, mag verhuizen als dat meer oplevert dan "
        "dit getal (standaard: nooit)."
    ),
    "groups assign --rank-costs": (
        "Alleen optimal: wat een 1e, 2e, 3e ... keuze kost (standaard 0,1,2,...)."
    ),
    "groups assign --column": (
        "Welke kolom een veld bevat (name, email, audience, organisation, language). Herhaalbaar."
    ),
    "groups assign --choice-column": (
        "De kolommen van de 1e, 2e, ... keuze, op volgorde (standaard: herkend aan de kop, "
        "zoals '1e keuze' of 'Keuze 2'). Herhaalbaar."
    ),
    "groups assign --apply": "Sla de indeling op en meld iedereen aan (standaard: proef).",
    "groups assign --skip-refused": (
        "Met --apply: deel de andere rijen in, ook al zijn er rijen niet te gebruiken."
    ),
    "groups assign --list": "Toon de sessie van iedereen.",
    "groups form": (
        "Verdeel de deelnemers van elke sessie over groepen onder de groepsgrootte.\n\n"
        "De eerste --rule wordt precies uitgedeeld, de andere worden daarna verbeterd. "
        "Paren, vaste plaatsen en groottes zijn hard: ze gelden, of er wordt niets opgeslagen "
        "en het conflict wordt genoemd (afsluitcode 1). Wie zijn groep al hoorde (groups "
        "freeze), blijft erin, tenzij --move-penalty een verhuizing toestaat. Dezelfde "
        "invoer en hetzelfde startgetal geven dezelfde groepen."
    ),
    "groups form --session": (
        "De sessie om in te delen (herhaalbaar; standaard: elke sessie met deelnemers)."
    ),
    "groups form --strategy": (
        "De indelingsstrategie: attributes (het plan hieronder), balanced, of die van een plugin."
    ),
    "groups form --seed": "Het startgetal (schrijf het op).",
    "groups form --rule": (
        "Hoe een kenmerk verdeeld wordt (audience, organisation, language of een kolom uit "
        "--fields): spread (gelijk verdeeld), cluster (nooit alleen) of together (in zo min "
        "mogelijk groepen). Belangrijkste eerst. Herhaalbaar."
    ),
    "groups form --keep-together": (
        "Twee mensen die in dezelfde groep komen (iemand en zijn begeleider). Herhaalbaar."
    ),
    "groups form --keep-apart": "Twee mensen die niet in dezelfde groep mogen. Herhaalbaar.",
    "groups form --pin": "Zet iemand in een groep, met het nummer van de groep. Herhaalbaar.",
    "groups form --facilitator": (
        "Een gespreksleider, één per groep in de volgorde van de groepen (alleen bij één "
        "sessie). Herhaalbaar."
    ),
    "groups form --facilitators": (
        "Een CSV met gespreksleiders: naam, e-mail en, bij meer sessies, de sessie."
    ),
    "groups form --sizes": "Vaste groepsgroottes in plaats van gelijke (alleen bij één sessie).",
    "groups form --fields": (
        "Een CSV met een e-mailkolom en een kolom per eigen kenmerk (regio, rol ...)."
    ),
    "groups form --move-penalty": (
        "Wie zijn groep al hoorde, mag verhuizen als dat de verdeling meer verbetert dan dit "
        "getal (standaard: nooit)."
    ),
    "groups form --dry-run": "Toon de groepen zonder ze op te slaan.",
    "groups show": "Toon de opgeslagen groepen: wie in welke groep zit, en wie bericht kreeg.",
    "groups show --format": (
        "table om te lezen, csv voor een spreadsheet (veilig tegen formules)."
    ),
    "groups explain": (
        "Leg uit waarom iemand zijn sessie en groep kreeg, in zinnen die u kunt doorgeven."
    ),
    "groups freeze": (
        "Leg vast dat mensen hun groep (of sessie) hoorden, zodat latere indelingen die "
        "houden.\n\n"
        "Zonder EMAIL: iedereen in de opgeslagen groepen van de sessie (of, met "
        "--assignment, iedereen die de opgeslagen indeling een plaats gaf)."
    ),
    "groups freeze --session": "De sessie waarvan de groepen bekend zijn gemaakt.",
    "groups freeze --assignment": "Mensen hoorden hun sessie (niet hun groep).",
    "groups export": (
        "Schrijf per sessie een groepslijst naar FOLDER: groups-SESSIE.csv (veilig tegen "
        "formules).\n\n"
        "De lijsten zijn gepseudonimiseerd: een pseudoniem per persoon (nieuw bij elke export) "
        "en de doelgroep. Met --names staan er namen, e-mailadressen en organisaties in, en "
        "komt elk bestand met --requested-by in het privacylogboek."
    ),
    "groups export --names": (
        "Namen, e-mailadressen en organisaties (standaard: een pseudoniem per persoon)."
    ),
    "groups zoom": (
        "Schrijf het CSV-bestand van Zoom om deelnemers vooraf in breakout rooms te zetten "
        "naar FILE.\n\n"
        "Zoom herkent mensen aan hun e-mailadres, dus het bestand bevat adressen en komt met "
        "--requested-by in het privacylogboek. Boven de grenzen van Zoom (100 kamers, 1.000 "
        "mensen, of de opgegeven grenzen) wordt er niets geschreven en is de afsluitcode 1."
    ),
    "groups zoom --session": "De sessie.",
    "groups zoom --max-rooms": (
        "Het grootste aantal breakout rooms dat het Zoom-account vooraf indeelt."
    ),
    "groups zoom --max-participants": (
        "Het grootste aantal mensen dat het Zoom-account vooraf indeelt."
    ),
    # --- calendars ------------------------------------------------------------------------
    "calendar": (
        "Agendabestanden: uitnodigingen, de agenda van de bijeenkomst, afgelastingen, sessies uit "
        ".ics."
    ),
    "calendar invitation": (
        "Schrijf het agendabestand van één persoon naar FOLDER: een uitnodiging, wijziging "
        "of afzegging.\n\n"
        "Voor wie de vraagbaak om de uitnodiging vraagt: het bestand wordt ook geschreven als "
        "er sinds de vorige niets veranderde."
    ),
    "calendar invitation --session": (
        "De sessie, als de persoon voor meer dan één sessie is aangemeld."
    ),
    "* --reminder": ("Herinner mensen zo lang voor het begin (30m, 2h, 1d). Herhaalbaar."),
    "calendar invitations": (
        "Schrijf ieders agendabestand naar FOLDER, met index.csv: welk bestand naar wie "
        "gaat.\n\n"
        "Wie een plaats heeft, krijgt een uitnodiging (of na een wijziging een update); wie "
        "zijn plaats kwijt is nadat die was aangekondigd, krijgt een afzegging. Stuur elk "
        "bestand naar zijn eigen persoon (nooit één mail aan allen). Draai het na elke "
        "wijziging opnieuw: alleen nieuwe en gewijzigde bestanden worden geschreven. De "
        "bestanden bevatten adressen, dus komt elk met --requested-by in het privacylogboek."
    ),
    "calendar invitations --all": (
        "Schrijf ook de bestanden die niets nieuws zeggen (standaard: alleen nieuwe en gewijzigde)."
    ),
    "calendar feed": (
        "Schrijf de openbare agenda van de bijeenkomst naar FOLDER: EVENT.ics en "
        "EVENT-DOELGROEP.ics.\n\n"
        "Voor een link 'zet in je agenda' op een website of een gedeelde agenda: zonder "
        "persoonsgegevens, zonder METHOD, afgelaste sessies weggelaten. Een verplaatste "
        "sessie komt bij abonnees aan als wijziging."
    ),
    "calendar feed --audience": (
        "Alleen de agenda van deze doelgroep (herhaalbaar; standaard: die van de bijeenkomst "
        "en van elke doelgroep)."
    ),
    "calendar feed --join-links": (
        "Zet de deelnamelinks van online sessies in de agenda's (uit: agenda's worden vaak "
        "gedeeld)."
    ),
    "calendar cancel": (
        "Gelast SESSION af en schrijf een afzegging voor iedereen aan wie ze was "
        "aangekondigd naar FOLDER.\n\n"
        "De sessie houdt haar aanmeldingen (voor het archief), maar neemt geen nieuwe aan "
        "en verdwijnt uit de agenda's. Het bijeenkomstbestand krijgt cancelled = true, zodat "
        "participatie event save haar afgelast houdt."
    ),
    "calendar cancel --yes": "Vraag niet om bevestiging.",
    "calendar import": (
        "Lees de sessies in FILE (.ics, uit uw eigen agenda) in de bijeenkomst.\n\n"
        "Elke afspraak wordt een sessie (een terugkerende: één per datum), met een sleutel "
        "uit titel en datum; afgelaste afspraken worden overgeslagen. Een afspraak die geen "
        "sessie kan zijn (hele dag, geen einde, een link die niet https is, een reeks zonder "
        "einde) is een probleem: alle problemen worden genoemd en er wordt niets toegevoegd "
        "(afsluitcode 1). Zonder --apply is dit een proef; hetzelfde bestand opnieuw "
        "inlezen voegt niets dubbel toe."
    ),
    "calendar import --apply": "Voeg de sessies toe (standaard: proef).",
    "calendar import --into": (
        "Waar ze bij komen: het bijeenkomstbestand (standaard als dat er is), of de opslag."
    ),
    "calendar import --capacity": "Het aantal plaatsen per sessie.",
    "calendar import --max-group-size": "De grootste gespreksgroep.",
    "calendar import --audience": (
        "Een doelgroep voor wie de sessies zijn (herhaalbaar; standaard: iedereen)."
    ),
    "calendar import --registration-opens": "Wanneer de aanmelding opengaat.",
    "calendar import --registration-closes": "De aanmelddeadline.",
    "calendar import --waiting-list": "De wachtlijst (standaard: automatic).",
    # --- input ------------------------------------------------------------------------------
    "input": "Leg vast wat er gezegd is: inbreng per centrale vraag, sessie en groep.",
    "input add": "Leg één bijdrage vast: TEXT, gezegd in een sessie, op een centrale vraag.",
    "input add --session": "De sessie.",
    "input add --question": (
        "Het nummer van de centrale vraag die het beantwoordt (weglaten: buiten de vragen)."
    ),
    "input add --group": "De gespreksgroep (nummer of naam).",
    "input add --audience": (
        "De doelgroep waar het vandaan kwam (standaard: die van de deelnemer, met --participant)."
    ),
    "input add --theme": "Een thema of label. Herhaalbaar.",
    "input add --participant": "De deelnemer van wie het kwam (weglaten: anoniem).",
    "input add --from-participant": (
        "De deelnemer stuurde het zelf in (standaard: een notulist legde het vast)."
    ),
    "input add --may-be-named": (
        "De deelnemer stemde in om er in een openbaar rapport mee genoemd te worden."
    ),
    "input import": (
        "Leg de inbreng van de notulisten in FILE (.csv of .xlsx) vast, één rij per "
        "bijdrage.\n\n"
        "Kolommen (herkend aan Nederlandse of Engelse koppen, of genoemd met --column): de "
        'tekst, en eventueel de sessie, de centrale vraag (1, 2, "Vraag 3"), de groep, de '
        "doelgroep, thema's (gescheiden door ;), het e-mailadres van de deelnemer en of die "
        "genoemd mag worden. Zonder --apply is dit een proef. Alle rijen worden vastgelegd, "
        "of geen; eerder vastgelegde rijen worden overgeslagen. Afsluitcode 1 als een rij "
        "niet te gebruiken is."
    ),
    "input import --apply": "Leg de inbreng vast (standaard: proef).",
    "input import --skip-refused": (
        "Met --apply: leg de andere rijen vast, ook al zijn er rijen niet te gebruiken."
    ),
    "input import --session": "Zet elke rij in deze sessie.",
    "input import --column": (
        "Welke kolom een veld bevat: text, session, question, group, audience, themes, "
        "participant, may_be_named. Herhaalbaar."
    ),
    "input list": (
        "Toon de inbreng met de nummers (de onderdelen van een concept noemen hun bronnen "
        "bij nummer)."
    ),
    "input list --session": "Alleen deze sessie.",
    "input list --question": "Alleen deze centrale vraag.",
    "input list --group": "Alleen deze groep.",
    "input list --format": (
        "table om te lezen, csv voor een spreadsheet (veilig tegen formules), json voor scripts."
    ),
    # --- feedback rounds ----------------------------------------------------------------------
    "feedback": ("Het concept en de feedbackrondes erop: versies, rondes, reacties, besluiten."),
    "feedback draft": (
        "Sla FILE (Markdown of tekst met een kop per onderdeel) op als de volgende versie "
        "van een concept.\n\n"
        "Elke kop begint een onderdeel; de sleutel staat erachter ({#visie}) of wordt eruit "
        "gemaakt, en moet in latere versies gelijk blijven, zodat opmerkingen te volgen "
        "zijn. Een regel <!-- bronnen: 3, 5 --> noemt de inbreng waar een onderdeel op "
        "steunt (zie input list). Een bestand dat gelijk is aan de laatste versie slaat "
        "niets op."
    ),
    "feedback draft --key": "De sleutel van het concept (standaard: uit de bestandsnaam).",
    "feedback draft --title": "De titel van het concept (standaard: de # kop bovenaan).",
    "feedback draft --note": "Wat u over deze versie zegt ('na ronde 1').",
    "feedback drafts": "Toon de concepten en hun versies.",
    "feedback open": (
        "Open een feedbackronde: leg een versie van DRAFT tot een deadline voor aan de ontvangers."
    ),
    "feedback open --closes": (
        "De deadline ('vrijdag 4 juni 2021 17.00'; een dag zonder tijd duurt tot het eind ervan)."
    ),
    "feedback open --opens": "Wanneer de ronde opengaat (standaard: nu).",
    "feedback open --version": "De versie (standaard: de laatste).",
    "feedback open --recipients": (
        "Een CSV met ontvangers: naam, e-mail, taal (standaard: iedereen die aanwezig was)."
    ),
    "feedback open --reminder": (
        "Herinner wie nog niet reageerde zo lang voor de deadline (2d). Herhaalbaar."
    ),
    "feedback open --reminder-after": (
        "Herinner wie nog niet reageerde zo lang na de opening (7d). Herhaalbaar."
    ),
    "feedback open --named": (
        "Laat collega's zien wie wat antwoordde (standaard: antwoorden zijn anoniem voor "
        "collega's)."
    ),
    "feedback open --title": (
        "Hoe de ronde in berichten heet (standaard: de titel van het concept)."
    ),
    "feedback rounds": "Toon de feedbackrondes: hoe ze ervoor staan en hoeveel er reageerden.",
    "feedback respond": (
        "Leg de reactie van EMAIL op ronde ROUND vast (per mail, telefoon of op papier "
        "gegeven).\n\n"
        "Een latere reactie vervangt de eerdere helemaal, tot de ronde sluit."
    ),
    "feedback respond --opinion": (
        "Het oordeel over een onderdeel: agree (eens), partly (deels) of disagree (oneens). "
        "Herhaalbaar."
    ),
    "feedback respond --comment": "De opmerking bij een onderdeel. Herhaalbaar.",
    "feedback respond --wording": "De tekst die de deelnemer voorstelt. Herhaalbaar.",
    "feedback respond --general": "Eén opmerking over het geheel.",
    "feedback respond --may-be-named": (
        "De deelnemer stemt in om er in een openbaar rapport mee genoemd te worden."
    ),
    "feedback close": "Sluit ronde ROUND nu, voor de deadline (als iedereen reageerde).",
    "feedback comments": (
        "Toon de opmerkingen van ronde ROUND die een besluit vragen, en de besluiten.\n\n"
        "De CSV bevat de adressen van wie reageerde, dus komt hij met --requested-by in het "
        "privacylogboek."
    ),
    "feedback comments --csv": (
        "Schrijf ze naar deze CSV, met kolommen voor besluit en reden om in te vullen "
        "(veilig tegen formules)."
    ),
    "feedback dispose": (
        "Leg vast wat er met een opmerking is gedaan: adopted (overgenomen), partly-adopted "
        "(deels) of not-adopted (niet).\n\n"
        "Eén opmerking: ROUND EMAIL BESLUIT [--section SLEUTEL] [--reason TEKST]. Meer: "
        "ROUND --file opmerkingen.csv, zoals feedback comments --csv het schrijft, met "
        "besluit en reden ingevuld (rijen zonder besluit blijven voor later). Alle besluiten "
        "in een bestand worden vastgelegd, of geen."
    ),
    "feedback dispose --section": (
        "Het onderdeel waar de opmerking over gaat (weglaten: de algemene opmerking)."
    ),
    "feedback dispose --reason": "Waarom (nodig, tenzij ze ongewijzigd is overgenomen).",
    "feedback dispose --file": (
        "De CSV met opmerkingen, met besluit en reden ingevuld (feedback comments --csv)."
    ),
    "feedback conclude": (
        "Rond een gesloten ronde af: elke opmerking heeft een besluit, en ze leidde tot de "
        "volgende versie."
    ),
    "feedback conclude --next-version": (
        "De versie waartoe de ronde leidde (standaard: de laatste van het concept)."
    ),
    "feedback due": (
        "Toon de berichten die nu verstuurd moeten worden; met FOLDER: schrijf ze als "
        "e-mailbestanden en leg ze vast.\n\n"
        "Uitnodigingen als een ronde opengaat, herinneringen aan wie nog niet reageerde, en "
        "'wat we met uw inbreng deden' na het afronden: één .eml-bestand per persoon (open "
        "het in een mailprogramma, of geef de map aan een verzendprogramma), vermeld in "
        "index.csv. Eenmaal geschreven staan ze vast als klaargezet en worden ze nooit "
        "opnieuw klaargezet; draai het vanuit een planner. De bestanden bevatten adressen, dus "
        "komt elk met --requested-by in het privacylogboek."
    ),
    # --- reports ------------------------------------------------------------------------------
    "report": (
        "Schrijf het rapport van de bijeenkomst naar FOLDER: Markdown, een HTML-pagina op "
        "zichzelf, en CSV.\n\n"
        "Aanwezigheid, groepen, inbreng per centrale vraag en doelgroep, en de "
        "feedbackrondes. Voor publicatie, zonder persoonsgegevens, tenzij --names of "
        "--internal: dan komen de bestanden met --requested-by in het privacylogboek. Het "
        "rapport is in de taal van de uitvoer (--lang)."
    ),
    "report --names": (
        "Noem de mensen die instemden om genoemd te worden bij hun inbreng of reactie "
        "(standaard: niemand wordt genoemd)."
    ),
    "report --internal": (
        "Het rapport voor collega's, met bronnen en groepsleden (persoonsgegevens)."
    ),
    "report --name": "De naam van de bestanden: NAAM.md, NAAM.html, NAAM-TABEL.csv.",
    # --- dispatch -----------------------------------------------------------------------------
    "dispatch": (
        "Verstuur de berichten die aan de beurt zijn, één keer (of met --loop steeds "
        "opnieuw).\n\n"
        "De kanalen zijn die uit [channels] van het bijeenkomstbestand (enabled, en de opties "
        "van elk); zonder die gaan de berichten via het kanaal outbox als .eml-bestanden in "
        "--folder. Toont hoeveel er verstuurd zijn, later opnieuw geprobeerd worden en "
        "definitief mislukt zijn; afsluitcode 1 als er een definitief mislukte."
    ),
    "dispatch --folder": (
        "Waar het kanaal outbox de .eml-bestanden schrijft, als het bijeenkomstbestand geen "
        "[channels] noemt."
    ),
    "dispatch --loop": (
        "Blijf elke --interval seconden versturen tot u stopt (Ctrl-C); standaard: één keer."
    ),
    "dispatch --interval": "Seconden tussen twee rondes met --loop.",
    "dispatch --purge-after": (
        "Wis na het versturen verzonden, mislukte en vervallen berichten die ouder zijn dan "
        "DAGEN (hun sleutels blijven bewaard, zodat niets twee keer verstuurd wordt)."
    ),
    # --- privacy ------------------------------------------------------------------------------
    "privacy": ("Beantwoord privacyverzoeken, wis verlopen gegevens en controleer de opgaven."),
    "privacy erase": (
        "Wis alles over de persoon met EMAIL (het recht op vergetelheid).\n\n"
        "Komende aanmeldingen worden geannuleerd (wie wacht schuift door en hoort dat), "
        "eerdere blijven als anonieme grafstenen; plugins en vastgelegde bestanden verliezen "
        "de persoon ook. Het privacylogboek legt vast wie het afhandelde (--requested-by), "
        "nooit over wie het ging. Vraagt eerst om bevestiging, tenzij --yes."
    ),
    "privacy erase --yes": "Vraag niet om bevestiging.",
    "privacy access": (
        "Schrijf alles over de persoon met EMAIL als JSON naar FILE (het recht op inzage).\n\n"
        "Het bestand komt in het privacylogboek, zodat wissen het later ook verwijdert; "
        "verwijder het zodra het is overgedragen."
    ),
    "privacy purge": (
        "Wis de persoonsgegevens van elke bijeenkomst waarvan de bewaartermijn voorbij is.\n\n"
        "Voor een planner (dagelijks is ruim genoeg): nogmaals draaien verandert niets."
    ),
    "privacy check": (
        "Controleer de opgaven van persoonsgegevens tegen wat de opslag bewaart.\n\n"
        "Toont elk probleem; afsluitcode 1 als er een is."
    ),
}
