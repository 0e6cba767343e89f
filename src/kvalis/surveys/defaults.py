"""The built-in Lithuanian evaluation questionnaire (the content is data, so it is in Lithuanian).

`key` marks questions that other parts of Kvalis read: "overall" feeds the satisfaction indicator
of the funder's report.
"""

DEFAULT_TITLE = "Mokymų vertinimo anketa"
DEFAULT_DESCRIPTION = (
    "Apklausa anoniminė: atsakymai saugomi be jūsų vardo, o rezultatai rodomi tik tada, kai "
    "atsakė bent penki dalyviai. Ačiū, kad skiriate laiko!"
)

# (key, kind, text, help text, required, choices)
DEFAULT_QUESTIONS: list[tuple[str, str, str, str, bool, list[str]]] = [
    (
        "overall",
        "scale",
        "Kaip bendrai vertinate mokymus?",
        "1 – labai blogai, 5 – labai gerai",
        True,
        [],
    ),
    (
        "relevance",
        "scale",
        "Ar mokymų turinys aktualus jūsų darbui?",
        "1 – visai neaktualus, 5 – labai aktualus",
        True,
        [],
    ),
    (
        "trainer",
        "scale",
        "Kaip vertinate lektoriaus (-ių) darbą?",
        "1 – labai blogai, 5 – labai gerai",
        True,
        [],
    ),
    (
        "organisation",
        "scale",
        "Kaip vertinate mokymų organizavimą (vieta, laikas, informacija)?",
        "1 – labai blogai, 5 – labai gerai",
        True,
        [],
    ),
    (
        "materials",
        "scale",
        "Kaip vertinate mokymų medžiagą?",
        "1 – labai blogai, 5 – labai gerai",
        True,
        [],
    ),
    (
        "apply",
        "single",
        "Ar pritaikysite įgytas žinias savo darbe?",
        "",
        True,
        ["Taip, jau taikau", "Taip, artimiausiu metu", "Galbūt", "Ne"],
    ),
    (
        "useful",
        "multiple",
        "Kas mokymuose jums buvo naudingiausia?",
        "Galite pažymėti kelis atsakymus.",
        False,
        [
            "Paskaitos",
            "Praktinės užduotys",
            "Diskusijos",
            "Gerosios patirties pavyzdžiai",
            "Mokymų medžiaga",
        ],
    ),
    ("improve", "text", "Ką siūlytumėte tobulinti?", "", False, []),
    ("topics", "text", "Kokių kitų mokymų temų pageidautumėte?", "", False, []),
]
