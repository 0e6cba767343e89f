"""Facts of the seed case (shared/seed) and the assumptions the demo adds to them.

The article names the lead, the eight partners, the funder and programme, 25 000 Lt, the three
modules with their audiences and topics, 160 trained and the Tallinn study visit. Everything else
here (dates, hours, cohorts, the other institutions and all people) is assumed for the demo.
"""

from datetime import date
from decimal import Decimal

PROJECT_CODE = "UTENA-KT-2014"
PROJECT_TITLE = (
    "Utenos regiono (apskrities) kultūros darbuotojų kvalifikacijos jaunimo kultūrinei "
    "ir socialinei įtraukčiai didinti stiprinimas"
)
PROJECT_START = date(2014, 3, 1)
PROJECT_END = date(2014, 11, 28)
GRANT = Decimal("25000.00")
FUNDING_PROGRAMME = "Kultūros specialistų kvalifikacijos tobulinimo programa"
DEMO_PASSWORD = "kvalis-demo"
ASSUMED = "Datos, valandos ir grupės yra prielaidos demonstracijai; straipsnis jų nenurodo."

# (key, name, short, type, municipality, genitive, instrumental, locative)
FUNDER = (
    "funder",
    "Lietuvos Respublikos kultūros ministerija",
    "LR Kultūros ministerija",
    "funder",
    "vilniaus-m",
    "LR Kultūros ministerijos",
    "LR Kultūros ministerija",
    "LR Kultūros ministerijoje",
)
LEAD = (
    "utena-vb",
    "Utenos A. ir M. Miškinių viešoji biblioteka",
    "Utenos viešoji biblioteka",
    "library",
    "utenos-r",
    "Utenos A. ir M. Miškinių viešosios bibliotekos",
    "Utenos A. ir M. Miškinių viešąja biblioteka",
    "Utenos A. ir M. Miškinių viešojoje bibliotekoje",
)
# (organisation tuple, partner role), in the order the article names them.
PARTNERS = [
    (
        (
            "vu-kf",
            "Vilniaus universiteto Komunikacijos fakultetas",
            "VU KF",
            "university",
            "vilniaus-m",
            "Vilniaus universiteto Komunikacijos fakulteto",
            "Vilniaus universiteto Komunikacijos fakultetu",
            "Vilniaus universiteto Komunikacijos fakultete",
        ),
        "academic",
    ),
    (
        (
            "utena-sc",
            "Utenos švietimo centras",
            "Utenos švietimo centras",
            "education_centre",
            "utenos-r",
            "Utenos švietimo centro",
            "Utenos švietimo centru",
            "Utenos švietimo centre",
        ),
        "education_centre",
    ),
    (
        (
            "sekmes-mokykla",
            "VšĮ „Sėkmės mokykla“",
            "Sėkmės mokykla",
            "training_provider",
            "vilniaus-m",
            "VšĮ „Sėkmės mokykla“",
            "VšĮ „Sėkmės mokykla“",
            "VšĮ „Sėkmės mokykla“",
        ),
        "training_provider",
    ),
    (
        (
            "anyksciai-vb",
            "Anykščių L. ir S. Didžiulių viešoji biblioteka",
            "Anykščių viešoji biblioteka",
            "library",
            "anyksciu-r",
            "Anykščių L. ir S. Didžiulių viešosios bibliotekos",
            "Anykščių L. ir S. Didžiulių viešąja biblioteka",
            "Anykščių L. ir S. Didžiulių viešojoje bibliotekoje",
        ),
        "sending",
    ),
    (
        (
            "ignalina-vb",
            "Ignalinos rajono savivaldybės viešoji biblioteka",
            "Ignalinos viešoji biblioteka",
            "library",
            "ignalinos-r",
            "Ignalinos rajono savivaldybės viešosios bibliotekos",
            "Ignalinos rajono savivaldybės viešąja biblioteka",
            "Ignalinos rajono savivaldybės viešojoje bibliotekoje",
        ),
        "sending",
    ),
    (
        (
            "moletai-vb",
            "Molėtų rajono savivaldybės viešoji biblioteka",
            "Molėtų viešoji biblioteka",
            "library",
            "moletu-r",
            "Molėtų rajono savivaldybės viešosios bibliotekos",
            "Molėtų rajono savivaldybės viešąja biblioteka",
            "Molėtų rajono savivaldybės viešojoje bibliotekoje",
        ),
        "sending",
    ),
    (
        (
            "zarasai-vb",
            "Zarasų rajono savivaldybės viešoji biblioteka",
            "Zarasų viešoji biblioteka",
            "library",
            "zarasu-r",
            "Zarasų rajono savivaldybės viešosios bibliotekos",
            "Zarasų rajono savivaldybės viešąja biblioteka",
            "Zarasų rajono savivaldybės viešojoje bibliotekoje",
        ),
        "sending",
    ),
    (
        (
            "visaginas-vb",
            "Visagino savivaldybės viešoji biblioteka",
            "Visagino viešoji biblioteka",
            "library",
            "visagino",
            "Visagino savivaldybės viešosios bibliotekos",
            "Visagino savivaldybės viešąja biblioteka",
            "Visagino savivaldybės viešojoje bibliotekoje",
        ),
        "sending",
    ),
]

# Institutions whose staff take part (assumed, names illustrative): (key, name, type, municipality).
# Each is nominated by the public library of its municipality (the lead for Utena district).
INSTITUTIONS = [
    ("utena-kc", "Utenos kultūros centras", "culture_centre", "utenos-r"),
    ("utena-km", "Utenos kraštotyros muziejus", "museum", "utenos-r"),
    ("utena-dkc", "Utenos daugiakultūris centras", "culture_centre", "utenos-r"),
    ("utena-sudeikiai", "Sudeikių kultūros namai", "culture_centre", "utenos-r"),
    ("utena-kuktiskes", "Kuktiškių kultūros namai", "culture_centre", "utenos-r"),
    ("anyksciai-kc", "Anykščių kultūros centras", "culture_centre", "anyksciu-r"),
    ("anyksciai-mc", "Anykščių menų centras", "culture_centre", "anyksciu-r"),
    (
        "anyksciai-muz",
        "A. Baranausko ir A. Vienuolio-Žukausko memorialinis muziejus",
        "museum",
        "anyksciu-r",
    ),
    ("anyksciai-troskunai", "Troškūnų kultūros centras", "culture_centre", "anyksciu-r"),
    ("ignalina-kc", "Ignalinos kultūros ir sporto centras", "culture_centre", "ignalinos-r"),
    ("ignalina-muz", "Ignalinos krašto muziejus", "museum", "ignalinos-r"),
    ("ignalina-duksta", "Dūkšto kultūros namai", "culture_centre", "ignalinos-r"),
    ("moletai-kc", "Molėtų kultūros centras", "culture_centre", "moletu-r"),
    ("moletai-muz", "Molėtų krašto muziejus", "museum", "moletu-r"),
    ("moletai-alanta", "Alantos kultūros namai", "culture_centre", "moletu-r"),
    ("moletai-giedraiciai", "Giedraičių kultūros namai", "culture_centre", "moletu-r"),
    ("zarasai-kc", "Zarasų kultūros centras", "culture_centre", "zarasu-r"),
    ("zarasai-muz", "Zarasų krašto muziejus", "museum", "zarasu-r"),
    ("zarasai-dusetos", "Dusetų kultūros centras", "culture_centre", "zarasu-r"),
    ("zarasai-antaliepte", "Antalieptės kultūros namai", "culture_centre", "zarasu-r"),
    ("visaginas-kc", "Visagino kultūros centras", "culture_centre", "visagino"),
    ("visaginas-jc", "Visagino jaunimo ir kultūros erdvė", "culture_centre", "visagino"),
]

WOMEN_FIRST = [
    "Aistė",
    "Agnė",
    "Asta",
    "Audronė",
    "Birutė",
    "Daiva",
    "Dalia",
    "Danutė",
    "Eglė",
    "Elena",
    "Gintarė",
    "Giedrė",
    "Indrė",
    "Irena",
    "Jolanta",
    "Jūratė",
    "Kristina",
    "Laima",
    "Lina",
    "Loreta",
    "Milda",
    "Neringa",
    "Nijolė",
    "Ona",
    "Rasa",
    "Regina",
    "Rūta",
    "Sigita",
    "Simona",
    "Violeta",
    "Vida",
    "Živilė",
    "Žaneta",
    "Ieva",
    "Ugnė",
    "Vilma",
    "Aušra",
    "Edita",
    "Ingrida",
    "Zita",
]
MEN_FIRST = [
    "Algirdas",
    "Andrius",
    "Antanas",
    "Arūnas",
    "Darius",
    "Gediminas",
    "Jonas",
    "Kęstutis",
    "Linas",
    "Mindaugas",
    "Paulius",
    "Rimantas",
    "Saulius",
    "Tomas",
    "Vytautas",
    "Žilvinas",
    "Šarūnas",
    "Ričardas",
    "Egidijus",
    "Valdas",
]
# (man's form, married woman's form, unmarried woman's form)
SURNAMES = [
    ("Kazlauskas", "Kazlauskienė", "Kazlauskaitė"),
    ("Jankauskas", "Jankauskienė", "Jankauskaitė"),
    ("Petrauskas", "Petrauskienė", "Petrauskaitė"),
    ("Stankevičius", "Stankevičienė", "Stankevičiūtė"),
    ("Vasiliauskas", "Vasiliauskienė", "Vasiliauskaitė"),
    ("Žukauskas", "Žukauskienė", "Žukauskaitė"),
    ("Butkus", "Butkienė", "Butkutė"),
    ("Paulauskas", "Paulauskienė", "Paulauskaitė"),
    ("Urbonas", "Urbonienė", "Urbonaitė"),
    ("Kavaliauskas", "Kavaliauskienė", "Kavaliauskaitė"),
    ("Šimkus", "Šimkienė", "Šimkutė"),
    ("Čepulis", "Čepulienė", "Čepulytė"),
    ("Ąžuolas", "Ąžuolienė", "Ąžuolaitė"),
    ("Balčiūnas", "Balčiūnienė", "Balčiūnaitė"),
    ("Mockus", "Mockienė", "Mockutė"),
    ("Navickas", "Navickienė", "Navickaitė"),
    ("Rimkus", "Rimkienė", "Rimkutė"),
    ("Sadauskas", "Sadauskienė", "Sadauskaitė"),
    ("Ūsas", "Ūsienė", "Ūsaitė"),
    ("Vaitkus", "Vaitkienė", "Vaitkutė"),
    ("Žemaitis", "Žemaitienė", "Žemaitytė"),
    ("Grigas", "Grigienė", "Grigaitė"),
    ("Ivanauskas", "Ivanauskienė", "Ivanauskaitė"),
    ("Lukšys", "Lukšienė", "Lukšytė"),
    ("Bagdonas", "Bagdonienė", "Bagdonaitė"),
    ("Ėmužis", "Ėmužienė", "Ėmužytė"),
    ("Činga", "Čingienė", "Čingaitė"),
    ("Jurgaitis", "Jurgaitienė", "Jurgaitytė"),
    ("Markevičius", "Markevičienė", "Markevičiūtė"),
    ("Šukys", "Šukienė", "Šukytė"),
    ("Tamošiūnas", "Tamošiūnienė", "Tamošiūnaitė"),
    ("Valančius", "Valančienė", "Valančiūtė"),
    ("Zabiela", "Zabielienė", "Zabielaitė"),
    ("Yla", "Ylienė", "Ylaitė"),
]

# (position, category) with rough weights: most staff are specialists.
POSITIONS_HEAD = [
    ("direktorius", "head"),
    ("direktoriaus pavaduotojas", "deputy"),
    ("kultūros vadybininkas", "manager"),
    ("projektų vadovas", "manager"),
]
POSITIONS_SPECIALIST = {
    "library": [
        "bibliotekininkas",
        "vyresnysis bibliotekininkas",
        "vaikų ir jaunimo skyriaus vedėjas",
        "informacinių technologijų specialistas",
    ],
    "museum": ["muziejininkas", "edukatorius", "rinkinių saugotojas"],
    "culture_centre": [
        "renginių organizatorius",
        "meno vadovas",
        "jaunimo veiklos koordinatorius",
        "kultūrinės veiklos specialistas",
    ],
}

# Activities of the article: (kind, title, audience, position categories, topics). Hours assumed.
MODULES = [
    (
        "module",
        "Jaunimui atviros erdvės kultūros įstaigose ir darbo jose specifika",
        "Kultūros centrų specialistai, bibliotekų ir muziejų darbuotojai, atsakingi už jaunimui "
        "skirtų veiklų organizavimą",
        ["specialist"],
        "Pažinti save ir kitus; kas svarbiausia šiuolaikiniam jaunimui; kaip skatinti jaunus "
        "žmones ir burti juos į komandas; kaip sudominti ir motyvuoti jaunimą; streso valdymas "
        "bendraujant su klientais.",
    ),
    (
        "module",
        "Projektų valdymas",
        "Regiono kultūros įstaigų vadovai, kultūros vadybininkai",
        ["head", "deputy", "manager"],
        "Projektų vaidmuo įgyvendinant organizacijos strategiją; projekto komandos sudarymas; "
        "projekto apimtis ir gairės; biudžeto sudarymas ir valdymas; projektų rizikos valdymas.",
    ),
    (
        "module",
        "Strateginis planavimas",
        "Kultūros įstaigų vadovai",
        ["head", "deputy"],
        "Strategijos rengimo principai; įstaigos strategijos rengimas aktyviai dalyvaujant "
        "vietos bendruomenei.",
    ),
]
STUDY_VISIT = (
    "study_visit",
    "Pažintinė išvyka į Taliną (Estija)",
    "Mokymų dalyviai: kultūros įstaigų vadovai ir specialistai",
    [],
    "Susipažinti su Talino ir jo regiono kultūros ir neformalaus švietimo multicentrų veiklos "
    "gerąja patirtimi.",
)
