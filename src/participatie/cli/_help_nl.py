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
    # --- the main command ------------------------------------------------------
    "participatie": (
        "Participatiebijeenkomsten organiseren vanaf de opdrachtregel.\n\n"
        "Beschrijf de bijeenkomst in een bestand (participatie init, check, event save), "
        "importeer de aanmeldingen uit de export van uw formulier (participatie import "
        "registrations), en zet elke volgende stap: mensen aanmelden en afmelden, "
        "aanbiedingen, de wachtlijst, plaatsen, lijsten en geschiedenis."
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
}
