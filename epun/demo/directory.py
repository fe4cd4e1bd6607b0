"""The directory of entities the demo uses: the annex's 42 Secretariat lines, peacekeeping
operations, the other UN entities of the financial disclosure programme, and the Panel's members.

The codes are the platform's own short codes; the names follow A/70/307 and its annex.
The split of peacekeeping and "other" filers among entities is illustrative (see disclosure demo).
"""

SECRETARIAT = [
    ("ACABQ", "ACABQ secretariat"),
    ("CEB", "CEB secretariat"),
    ("CTED", "Counter-Terrorism Committee Executive Directorate"),
    ("DGACM", "Dept. for General Assembly and Conference Management"),
    ("DESA", "Dept. of Economic and Social Affairs"),
    ("DM", "Dept. of Management"),
    ("DPA", "Dept. of Political Affairs, incl. special political missions"),
    ("DPI", "Dept. of Public Information"),
    ("DSS", "Dept. of Safety and Security"),
    ("ESCAP", "ESCAP"),
    ("ESCWA", "ESCWA"),
    ("ECA", "ECA"),
    ("ECE", "ECE"),
    ("ECLAC", "ECLAC"),
    ("EO", "Ethics Office"),
    ("EOSG", "Executive Office of the Secretary-General"),
    ("ICTR", "ICTR"),
    ("ICTY", "ICTY"),
    ("MICT", "Mechanism for International Criminal Tribunals"),
    ("ODA", "Office for Disarmament Affairs"),
    ("OCHA", "OCHA"),
    ("OAJ", "Office of Administration of Justice"),
    ("OIOS", "OIOS"),
    ("OLA", "Office of Legal Affairs"),
    ("SRSG-CAAC", "SRSG Children and Armed Conflict"),
    ("SRSG-SVC", "SRSG Sexual Violence in Conflict"),
    ("OHCHR", "OHCHR"),
    ("UNOMS", "Ombudsman and Mediation Services"),
    ("OSAA", "Special Adviser on Africa"),
    ("OHRLLS", "OHRLLS"),
    ("OPGA", "Office of the President of the General Assembly"),
    ("PBSO", "Peacebuilding Support Office"),
    ("RCNYO", "Regional Commissions New York Office"),
    ("SCSL", "Special Court for Sierra Leone"),
    ("STL", "Special Tribunal for Lebanon"),
    ("UNJSPF", "UN Joint Staff Pension Fund"),
    ("UNOAU", "UN Office to the African Union"),
    ("UNCTAD", "UNCTAD"),
    ("UNOG", "UNOG"),
    ("UNON", "UNON"),
    ("UNOV", "UNOV"),
    ("UNODC", "UNODC"),
]

PEACEKEEPING = [
    ("DPKO-DFS", "Departments of Peacekeeping Operations and Field Support"),
    ("MONUSCO", "MONUSCO"), ("MINUSMA", "MINUSMA"), ("UNMISS", "UNMISS"),
    ("UNAMID", "UNAMID"), ("MINUSTAH", "MINUSTAH"), ("UNIFIL", "UNIFIL"),
    ("MINUSCA", "MINUSCA"), ("UNMIL", "UNMIL"), ("UNOCI", "UNOCI"),
    ("UNSOA", "UNSOA"), ("UNMIK", "UNMIK"), ("MINURSO", "MINURSO"),
    ("UNFICYP", "UNFICYP"), ("UNDOF", "UNDOF"), ("UNLB", "UN Logistics Base, Brindisi"),
    ("RSCE", "Regional Service Centre, Entebbe"),
]

OTHER = [
    ("UNRWA", "UNRWA"), ("UNIDIR", "UNIDIR"), ("UNICRI", "UNICRI"), ("UNAIDS", "UNAIDS"),
    ("UNCCD", "UNCCD secretariat"), ("UNHCR", "UNHCR"), ("UNCC", "UN Compensation Commission"),
    ("UNFCCC", "UNFCCC secretariat"), ("UNITAR", "UNITAR"), ("UNU", "United Nations University"),
    ("UN-WOMEN", "UN-Women"), ("ICC", "International Computing Centre"),
    ("UNDP", "UNDP"), ("UNICEF", "UNICEF"), ("UNFPA", "UNFPA"), ("UNOPS", "UNOPS"),
    ("WFP", "WFP"),
]

ENTITIES = ([(c, n, "secretariat") for c, n in SECRETARIAT]
            + [(c, n, "peacekeeping") for c, n in PEACEKEEPING]
            + [(c, n, "other") for c, n in OTHER])


def load(client, say=print):
    existing = {e["code"]: e for e in client.get("/entities")}
    changed = 0
    for code, name, category in ENTITIES:
        wanted = {"code": code, "name": name, "category": category, "parent": None}
        if existing.get(code) != wanted:
            client.put(f"/entities/{code}", {"name": name, "category": category})
            changed += 1
    say(f"directory: {len(ENTITIES)} entities ({changed} added or changed)")
