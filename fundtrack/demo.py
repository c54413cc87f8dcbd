"""Demo data: a Danish municipality's social-economy unit, its partners, funders and three years of applications.

Everything is dated relative to `today`, so the demo always looks current: some deadlines
lie ahead, some reports are overdue, and several funders have given to the same partner
year after year ("Den Gyldne Donation").
"""

from __future__ import annotations

import datetime as dt
import random

from fundtrack import clock
from fundtrack.applications import partners
from fundtrack.applications import services as applications
from fundtrack.applications.models import Application
from fundtrack.auth.services import create_user
from fundtrack.calendars import services as calendars
from fundtrack.checklists import services as checklists
from fundtrack.comments import services as comments
from fundtrack.config import FeedSettings
from fundtrack.contacts import services as contacts
from fundtrack.db import db
from fundtrack.deadlines import services as deadlines
from fundtrack.deadlines.models import Deadline
from fundtrack.feeds import matching as feed_matching
from fundtrack.feeds import services as feed_services
from fundtrack.feeds.deadlines import find_in_text
from fundtrack.feeds.ingest import text_key
from fundtrack.feeds.models import Call, CallDeadline
from fundtrack.fees import services as fees
from fundtrack.funders import services as funder_services
from fundtrack.funders.models import Funder
from fundtrack.organisations import services as organisations
from fundtrack.organisations.models import Organisation
from fundtrack.projects import services as projects
from fundtrack.relationships import services as relationship_services
from fundtrack.relationships.models import Relationship
from fundtrack.tasks import services as tasks

DEMO_PASSWORD = "demo"
DEMO_USERS = [
    {"email": "fundraiser@example.dk", "name": "Mette Holm", "role": "fundraiser"},
    {"email": "member@example.dk", "name": "Jonas Berg", "role": "member", "organisation": "Café Kornet"},
    {"email": "viewer@example.dk", "name": "Karen Vind", "role": "viewer"},
]

ORGANISATIONS = [
    {
        "name": "Café Kornet",
        "kind": "enterprise",
        "cvr_number": "31415926",
        "description": "Café og cateringkøkken i bymidten. Fleksjobbere og borgere i ressourceforløb lærer køkken, "
        "service og kasse, og mange går videre til job i byens restauranter.",
        "interests": "mad, catering, beskæftigelse, unge, fleksjob",
        "un_goals": "8, 12",
        "keywords": "madspild, køkken, food",
        "excluded_words": "landbrug",
        "contacts": [("Jonas Berg", "Daglig leder", "jonas@cafekornet.example.dk")],
    },
    {
        "name": "Naturhaven for Veteraner",
        "kind": "initiative",
        "description": "En naturhave hvor veteraner med PTSD arbejder med jord, dyr og biodiversitet, "
        "i et fællesskab med frivillige fra lokalsamfundet.",
        "interests": "natur, veteraner, mental sundhed, biodiversitet, frivillighed",
        "un_goals": "3, 15",
        "keywords": "ptsd, grønne områder",
        "contacts": [("Søren Lund", "Koordinator", "soren@naturhaven.example.dk")],
    },
    {
        "name": "Genbrugslab",
        "kind": "enterprise",
        "cvr_number": "27182818",
        "description": "Kreativt værksted der laver møbler og design af genbrugsmaterialer fra genbrugspladsen, "
        "med værkstedspraktik for unge uden uddannelse.",
        "interests": "genbrug, cirkulær økonomi, design, unge, uddannelse",
        "un_goals": "4, 12",
        "keywords": "upcycling, værksted, circular economy",
        "contacts": [("Amalie Krog", "Værkstedsleder", "amalie@genbrugslab.example.dk")],
    },
    {
        "name": "Reparationscaféen",
        "kind": "association",
        "description": "Frivillig reparationscafé hver torsdag: cykler, tøj og elektronik repareres sammen med borgerne, "
        "og borgere på kanten af arbejdsmarkedet får faste opgaver.",
        "interests": "reparation, genbrug, frivillighed, fællesskab, cirkulær økonomi",
        "un_goals": "12, 17",
        "contacts": [("Bent Mortensen", "Formand", "bent@reparationscafeen.example.dk")],
    },
    {
        "name": "Genbrugsbutikken Plus",
        "kind": "enterprise",
        "cvr_number": "16180339",
        "description": "Second-hand butik i samarbejde med affaldsselskabet; butikken er jobtræning i salg, lager og logistik.",
        "interests": "genbrug, detailhandel, jobtræning, cirkulær økonomi",
        "un_goals": "8, 12",
        "contacts": [("Fatima Nasser", "Butiksleder", "fatima@plusbutik.example.dk")],
    },
    {
        "name": "Socialøkonomisk Enhed",
        "kind": "municipality",
        "description": "Kommunens enhed for socialøkonomi: netværk, samarbejdsaftaler og fundraising på tværs.",
        "interests": "partnerskaber, netværk, beskæftigelse",
        "un_goals": "17",
        "contacts": [("Lars Skov", "Socialøkonomisk konsulent", "lars.skov@kommune.example.dk")],
    },
]

FUNDERS = [
    ("Kornmod Fonden", "private_foundation", "mad, beskæftigelse, lokalsamfund", "8", 50_000, 400_000, True, 12, 6),
    ("Lindegaard Fonden", "private_foundation", "natur, sundhed, frivillighed", "3, 15", 100_000, 750_000, False, 24, 12),
    (
        "Fonden for Socialt Entreprenørskab",
        "private_foundation",
        "socialøkonomi, iværksætteri",
        "8, 17",
        200_000,
        1_500_000,
        True,
        12,
        12,
    ),
    ("Nordlys Fonden", "private_foundation", "unge, uddannelse, kreativitet", "4", 25_000, 250_000, True, 6, 6),
    (
        "Den Grønne Omstillingsfond",
        "private_foundation",
        "cirkulær økonomi, genbrug, klima",
        "12, 13",
        100_000,
        1_000_000,
        None,
        12,
        6,
    ),
    ("Veteranfonden af 2010", "private_foundation", "veteraner, mental sundhed", "3", 20_000, 300_000, True, 12, 12),
    ("Sparekassefonden Vestsjælland", "private_foundation", "lokalsamfund, foreningsliv", "11, 17", 10_000, 100_000, True, 12, 6),
    ("Puljen til Frivilligt Socialt Arbejde", "public_pool", "frivillighed, udsatte", "10, 17", 50_000, 500_000, False, 12, 0),
    (
        "Pulje til Socialøkonomiske Virksomheder",
        "public_pool",
        "socialøkonomi, beskæftigelse",
        "8",
        100_000,
        2_000_000,
        False,
        12,
        0,
    ),
    ("Landdistriktspuljen", "public_pool", "landdistrikter, lokalsamfund", "11", 50_000, 600_000, False, 12, 12),
    ("Kommunens Udviklingspulje", "public_pool", "udvikling, forsøg, partnerskaber", "17", 10_000, 150_000, False, 6, 6),
    ("ESF+ Socialfonden", "eu_programme", "beskæftigelse, inklusion, uddannelse", "4, 8, 10", 1_000_000, 5_000_000, True, 24, 12),
    (
        "Interreg Øresund-Kattegat-Skagerrak",
        "eu_programme",
        "grænseoverskridende samarbejde, grøn omstilling",
        "12, 17",
        2_000_000,
        8_000_000,
        True,
        36,
        12,
    ),
    ("Grøn Ring Affald CSR", "company_csr", "genbrug, affald, lokalsamfund", "12", 10_000, 150_000, True, 12, 6),
    ("Haldor Byg CSR-pulje", "company_csr", "håndværk, unge, beskæftigelse", "8", 10_000, 100_000, None, 12, 6),
    ("Fælleskøb Dagligvarer Fond", "company_csr", "mad, madspild, fællesskab", "2, 12", 15_000, 200_000, True, 12, 6),
]

# (organisation, funder, title, requested kroner, outcome, year offset: 0 = this year, 1 = last year, ...)
APPLICATIONS = [
    ("Café Kornet", "Kornmod Fonden", "Køkkenskolen: fra fleksjob til fast job", 250_000, "closed", 3),
    ("Café Kornet", "Kornmod Fonden", "Køkkenskolen år 2: flere lærepladser", 280_000, "closed", 2),
    ("Café Kornet", "Kornmod Fonden", "Køkkenskolen år 3: catering til kommunens møder", 300_000, "reporting", 1),
    ("Café Kornet", "Kornmod Fonden", "Køkkenskolen år 4: unge i sommerjob", 320_000, "drafting", 0),
    ("Café Kornet", "Fælleskøb Dagligvarer Fond", "Madspild bliver til frokost", 120_000, "closed", 2),
    ("Café Kornet", "Fælleskøb Dagligvarer Fond", "Suppekøkken for ensomme ældre", 140_000, "granted", 0),
    ("Café Kornet", "Pulje til Socialøkonomiske Virksomheder", "Ny cateringvogn til markeder", 650_000, "rejected", 2),
    ("Café Kornet", "ESF+ Socialfonden", "Værdikæder i køkkenet: progression for unge", 2_400_000, "submitted", 0),
    ("Café Kornet", "Nordlys Fonden", "Ungepanel i caféen", 60_000, "withdrawn", 1),
    ("Naturhaven for Veteraner", "Veteranfonden af 2010", "Jord under neglene: haveforløb for veteraner", 180_000, "closed", 3),
    ("Naturhaven for Veteraner", "Veteranfonden af 2010", "Jord under neglene 2: drivhus og bistader", 210_000, "reporting", 1),
    ("Naturhaven for Veteraner", "Lindegaard Fonden", "Biodiversitet og ro: en sansehave", 450_000, "rejected", 2),
    ("Naturhaven for Veteraner", "Lindegaard Fonden", "Sansehaven, ny ansøgning med partnere", 420_000, "submitted", 0),
    ("Naturhaven for Veteraner", "Puljen til Frivilligt Socialt Arbejde", "Frivillige mentorer i haven", 160_000, "closed", 2),
    (
        "Naturhaven for Veteraner",
        "Puljen til Frivilligt Socialt Arbejde",
        "Frivillige mentorer, fortsættelse",
        170_000,
        "granted",
        1,
    ),
    ("Naturhaven for Veteraner", "Landdistriktspuljen", "Naturhaven åbner for landsbyen", 300_000, "idea", 0),
    ("Genbrugslab", "Den Grønne Omstillingsfond", "Møbler af byens affald", 500_000, "closed", 3),
    ("Genbrugslab", "Den Grønne Omstillingsfond", "Designskole i genbrug", 550_000, "closed", 2),
    ("Genbrugslab", "Den Grønne Omstillingsfond", "Genbrugslab på turné i skolerne", 600_000, "reporting", 1),
    ("Genbrugslab", "Nordlys Fonden", "Værkstedspraktik for unge uden uddannelse", 150_000, "closed", 2),
    ("Genbrugslab", "Nordlys Fonden", "Værkstedspraktik 2: fra praktik til uddannelse", 175_000, "submitted", 0),
    ("Genbrugslab", "Interreg Øresund-Kattegat-Skagerrak", "Nordisk netværk for cirkulært design", 3_500_000, "rejected", 1),
    ("Genbrugslab", "Haldor Byg CSR-pulje", "Byggeaffald bliver til byrum", 80_000, "granted", 0),
    ("Genbrugslab", "Kommunens Udviklingspulje", "Prøvehandling: genbrugsbyggemarked", 120_000, "drafting", 0),
    ("Reparationscaféen", "Sparekassefonden Vestsjælland", "Værktøj og arbejdsborde", 45_000, "closed", 3),
    ("Reparationscaféen", "Sparekassefonden Vestsjælland", "Reparationscafé på biblioteket", 50_000, "closed", 2),
    ("Reparationscaféen", "Sparekassefonden Vestsjælland", "Cykelværksted for flygtninge", 60_000, "reporting", 1),
    ("Reparationscaféen", "Sparekassefonden Vestsjælland", "Reparationsdage i landsbyerne", 65_000, "idea", 0),
    ("Reparationscaféen", "Grøn Ring Affald CSR", "Elektronik repareres i stedet for at smides ud", 90_000, "granted", 1),
    ("Reparationscaféen", "Puljen til Frivilligt Socialt Arbejde", "Frivilligkoordinator på deltid", 240_000, "rejected", 1),
    (
        "Reparationscaféen",
        "Fonden for Socialt Entreprenørskab",
        "Fra forening til socialøkonomisk virksomhed",
        400_000,
        "submitted",
        0,
    ),
    ("Genbrugsbutikken Plus", "Grøn Ring Affald CSR", "#Plusbutik: borgerforløb i butikken", 130_000, "closed", 3),
    ("Genbrugsbutikken Plus", "Grøn Ring Affald CSR", "#Plusbutik 2: webshop for genbrug", 150_000, "closed", 2),
    ("Genbrugsbutikken Plus", "Grøn Ring Affald CSR", "#Plusbutik 3: pop-up i bymidten", 160_000, "reporting", 1),
    (
        "Genbrugsbutikken Plus",
        "Pulje til Socialøkonomiske Virksomheder",
        "Lager og logistik som jobtræning",
        900_000,
        "granted",
        0,
    ),
    (
        "Genbrugsbutikken Plus",
        "Fonden for Socialt Entreprenørskab",
        "Forretningsplan for butik nummer to",
        350_000,
        "rejected",
        2,
    ),
    ("Genbrugsbutikken Plus", "ESF+ Socialfonden", "Detailhandel som vej til job", 1_800_000, "drafting", 0),
    ("Genbrugsbutikken Plus", "Kommunens Udviklingspulje", "Genbrugsmøbler til kommunens kontorer", 75_000, "withdrawn", 0),
    (
        "Socialøkonomisk Enhed",
        "Fonden for Socialt Entreprenørskab",
        "Socialøkonomisk netværk: fælles fundraising",
        800_000,
        "closed",
        3,
    ),
    (
        "Socialøkonomisk Enhed",
        "Fonden for Socialt Entreprenørskab",
        "Den Gyldne Donation: relationer til givere",
        750_000,
        "reporting",
        1,
    ),
    ("Socialøkonomisk Enhed", "Kommunens Udviklingspulje", "Prøvehandlingskonference", 40_000, "closed", 2),
    (
        "Socialøkonomisk Enhed",
        "Interreg Øresund-Kattegat-Skagerrak",
        "Cirkulære partnerskaber over Kattegat",
        4_200_000,
        "idea",
        0,
    ),
    ("Socialøkonomisk Enhed", "Landdistriktspuljen", "Socialøkonomi i landdistrikterne", 350_000, "submitted", 0),
    ("Café Kornet", "Sparekassefonden Vestsjælland", "Nye borde og stole til caféen", 40_000, "idea", 0),
    ("Genbrugslab", "Fonden for Socialt Entreprenørskab", "Genbrugslab som franchise", 600_000, "idea", 0),
]

# Funders that want an interim report, months after the project starts.
INTERIM_REPORTS = {
    "ESF+ Socialfonden": 6,
    "Interreg Øresund-Kattegat-Skagerrak": 6,
    "Fonden for Socialt Entreprenørskab": 6,
    "Pulje til Socialøkonomiske Virksomheder": 6,
}

# (funder, round name, kind, settings)
ROUNDS = [
    ("Kornmod Fonden", "Forårs- og efterårsrunden", "yearly", {"yearly_dates": "01-03, 01-09", "deadline_time": "12:00"}),
    ("Lindegaard Fonden", "Årlig ansøgningsrunde", "yearly", {"yearly_dates": "15-04"}),
    ("Puljen til Frivilligt Socialt Arbejde", "Kvartalsvis pulje", "quarter_end", {}),
    ("Sparekassefonden Vestsjælland", "Månedlig uddeling", "monthly", {"month_day": 10}),
    ("Den Grønne Omstillingsfond", "Grøn omstilling", "yearly", {"yearly_dates": "01-02, 01-10", "deadline_time": "23:59"}),
    ("ESF+ Socialfonden", "Indkaldelse 2027", "once", {"once_offset_days": 75}),
]

PURPOSE = (
    "Projektet skaber småjob og praktik for borgere på kanten af arbejdsmarkedet "
    "og styrker de tre bundlinjer: den sociale, den lokale og den økonomiske."
)
REJECTION_REASONS = ["budget", "outside_focus", "competition", "formal"]


def load_if_empty(*, today: dt.date, now: dt.datetime) -> bool:
    """Load the demo into an empty database; do nothing (and return False) when data exists."""
    if Organisation.select().exists() or Funder.select().exists():
        return False
    load(today=today, now=now)
    return True


def load(*, today: dt.date, now: dt.datetime) -> None:
    """Create the demo organisations, funders, users and applications in one transaction."""
    rng = random.Random(2022)
    with db.atomic():
        orgs = {}
        for spec in ORGANISATIONS:
            organisation = organisations.create_organisation(spec, actor=None, now=now - dt.timedelta(days=1200))
            for name, title, email in spec["contacts"]:
                contacts.add_contact(
                    organisation, {"name": name, "title": title, "email": email, "receives_alerts": True}, actor=None, now=now
                )
            orgs[spec["name"]] = organisation
        funders = {}
        for name, kind, tags, goals, low, high, fees, cool_grant, cool_reject in FUNDERS:
            funders[name] = funder_services.create_funder(
                {
                    "name": name,
                    "kind": kind,
                    "focus_tags": tags,
                    "un_goals": goals,
                    "grant_min_ore": low * 100,
                    "grant_max_ore": high * 100,
                    "allows_consultant_fees": fees,
                    "cooldown_after_grant_months": cool_grant,
                    "interim_report_months": INTERIM_REPORTS.get(name),
                    "final_report_months": 3,
                    "cooldown_after_rejection_months": cool_reject or None,
                    "website": f"https://{name.lower().replace(' ', '-').replace('ø', 'oe').replace('æ', 'ae').replace('å', 'aa').replace('+', '')}.example.dk",
                    "description": f"{name} støtter projekter inden for {tags}.",
                },
                actor=None,
                now=now,
            )
        for funder_name, round_name, kind, settings in ROUNDS:
            settings = dict(settings)
            offset = settings.pop("once_offset_days", None)
            if offset is not None:
                settings["once_on"] = today + dt.timedelta(days=offset)
            funder_services.create_round(
                funders[funder_name], {"name": round_name, "kind": kind, **settings}, actor=None, now=now
            )
        users = {}
        for spec in DEMO_USERS:
            users[spec["role"]] = create_user(
                spec["email"],
                spec["name"],
                spec["role"],
                DEMO_PASSWORD,
                organisation=orgs.get(spec.get("organisation")),
                now=now,
                check_strength=False,  # the demo's known password, printed at start
            )
        consultant = create_user("lars.skov@example.dk", "Lars Skov", "fundraiser", DEMO_PASSWORD, now=now, check_strength=False)
        owners = [users["fundraiser"], consultant]
        for index, (org, funder, title, kroner, outcome, years_ago) in enumerate(APPLICATIONS):
            _application(
                orgs[org], funders[funder], title, kroner * 100, outcome, years_ago, owner=owners[index % 2], today=today, rng=rng
            )
        _relationships(orgs, funders, users, today=today, now=now)
        _calls(funders, today=today, now=now)
        _sources_and_calendars(orgs, now=now)
        _project(orgs["Café Kornet"], now=now)
        # A joint application: the veterans' garden grows the soup kitchen's vegetables, for a third of the budget.
        soup = Application.get(Application.title == "Suppekøkken for ensomme ældre")
        partners.add_partner(soup, orgs["Naturhaven for Veteraner"], 3000, actor=None, now=now)
        # A funder took back money it found unspent: the grant counts net of it, and the fee follows.
        bikes = Application.get(Application.title == "Cykelværksted for flygtninge")
        applications.record_reclaim(
            bikes,
            10_000_00,
            today - dt.timedelta(days=20),
            reason="Ubrugte midler ved projektets afslutning",
            actor=users["fundraiser"],
            now=now,
        )
        _tasks(orgs, users, today=today, now=now)


def _tasks(orgs, users, *, today: dt.date, now: dt.datetime) -> None:
    """The suggested task templates, their tasks for the deadlines still to come, and a few tasks by hand."""
    tasks.add_suggested_templates(actor=None, now=now)
    upcoming = Deadline.select().where(
        Deadline.done_at.is_null() & Deadline.deleted_at.is_null() & (Deadline.due_on >= today) & (Deadline.kind == "submission")
    )
    for deadline in upcoming:
        tasks.add_template_tasks(deadline, actor=None, now=now)
    kornet = Application.select().where(Application.organisation == orgs["Café Kornet"]).order_by(Application.id.desc()).first()
    for title, days, who, application in [
        ("Ring til fonden om budgettets løndel", 2, users["fundraiser"], kornet),
        ("Send billeder fra køkkenskolen til ansøgningen", 5, users["member"], kornet),
        ("Forbered oplæg til udvalgsmødet", -1, users["fundraiser"], None),
    ]:
        data = {"title": title, "due_on": today + dt.timedelta(days=days), "assignee": who, "application": application}
        tasks.create_task(data, actor=None, now=now)
    handle = comments.handle_of(users["member"])
    comments.add_comment(
        kornet,
        f"@{handle} kan du sende de nye tal for praktikpladserne inden fredag? Fonden spørger efter dem.",
        actor=users["fundraiser"],
        now=now,
        link=f"/applications/{kornet.id}",
    )


# (funder, organisation, steward role, next step, days until the next step, interactions as (kind, days ago, text))
STEWARDSHIP = [
    (
        "Kornmod Fonden",
        "Café Kornet",
        "fundraiser",
        "Invitér fonden til åbent hus i køkkenskolen",
        20,
        [
            ("thank_you", 300, "Takkebrev og billeder fra første hold"),
            ("site_visit", 200, "Fondens sekretariat spiste frokost i caféen"),
            ("report_delivered", 90, "Delrapport sendt med tal for job og praktik"),
            ("call", 15, "Fonden spurgte til næste ansøgning"),
        ],
    ),
    (
        "Den Grønne Omstillingsfond",
        "Genbrugslab",
        "fundraiser",
        "Send årsrapporten med effekterne af turnéen",
        10,
        [("meeting", 400, "Møde om cirkulær økonomi i skolerne"), ("report_delivered", 120, "Slutrapport leveret")],
    ),
    (
        "Grøn Ring Affald CSR",
        "Genbrugsbutikken Plus",
        "fundraiser",
        "Aftal pop-up-butik i forårsferien",
        35,
        [("site_visit", 60, "Direktøren besøgte butikken")],
    ),
    (
        "Veteranfonden af 2010",
        "Naturhaven for Veteraner",
        "fundraiser",
        "Ring og fortæl om drivhuset",
        5,
        [("thank_you", 150, "Takkebrev fra veteranerne")],
    ),
    ("Sparekassefonden Vestsjælland", "Reparationscaféen", "fundraiser", "Invitér til reparationsdag", 45, []),
]


def _relationships(orgs, funders, users, *, today: dt.date, now: dt.datetime) -> None:
    """Stewards, next steps and a history of meetings, thank-yous and reports for the strongest relationships."""
    for funder, organisation, role, step, days, interactions in STEWARDSHIP:
        relationship = Relationship.get(Relationship.funder == funders[funder], Relationship.organisation == orgs[organisation])
        relationship_services.set_stewardship(
            relationship,
            steward=users[role],
            next_step=step,
            next_step_on=today + dt.timedelta(days=days),
            notes="",
            actor=users[role],
            now=now,
        )
        for kind, ago, text in interactions:
            relationship_services.log_interaction(
                relationship, kind=kind, happened_on=today - dt.timedelta(days=ago), text=text, actor=users[role], now=now
            )


# (title, funder, days until the deadline or None for rolling, text)
CALLS = [
    (
        "Pulje til madspild og fællesskab",
        "Fælleskøb Dagligvarer Fond",
        45,
        "Støtte til projekter der mindsker madspild og skaber fællesskab om mad. Ansøgningsfrist: {date} kl. 12.00.",
    ),
    (
        "Grønne områder for veteraner",
        "Veteranfonden af 2010",
        70,
        "Fonden støtter aktiviteter i naturen for veteraner med PTSD. Frist: {date}.",
    ),
    (
        "Circular economy partnerships",
        "Interreg Øresund-Kattegat-Skagerrak",
        120,
        "Cross-border projects on circular economy and upcycling. Closing date: {date} 4:00pm CET.",
    ),
    (
        "Lokale fællesskaber i landdistrikterne",
        "Landdistriktspuljen",
        None,
        "Puljen modtager ansøgninger løbende fra foreninger og initiativer i landdistrikterne.",
    ),
    ("Iværksætteri for unge", "Nordlys Fonden", 30, "Unge iværksættere med kreative idéer og værksted. Ansøg senest {date}."),
    ("Landbrug og biodiversitet", "Lindegaard Fonden", 60, "Projekter i landbruget med fokus på natur. Deadline: {date}."),
]


def _calls(funders, *, today: dt.date, now: dt.datetime) -> None:
    """Open calls as a fund database would bring them, passed on to the partners they fit."""
    ids = []
    for index, (title, funder, days, text) in enumerate(CALLS):
        due = today + dt.timedelta(days=days) if days else None
        words = text.format(date=f"{due.day}. {MONTH_NAMES[due.month]} {due.year}" if due else "")
        finding = find_in_text(words, today)
        call = Call.create(
            funder=funders[funder],
            funder_name=funder,
            title=title,
            title_key=text_key(title),
            summary=f"<p>{words}</p>",
            summary_text=words,
            rolling=finding.rolling,
            published_at=now - dt.timedelta(days=index),
            first_seen_at=now - dt.timedelta(days=index),
            last_seen_at=now,
            updated_at=now,
        )
        for found in finding.deadlines:
            CallDeadline.create(
                call=call, due_on=found.due_on, due_at=found.due_at, timezone=found.timezone, found_in=found.found_in
            )
        ids.append(call.id)
    feed_matching.match_calls(ids, now=now)


def _sources_and_calendars(orgs, *, now: dt.datetime) -> None:
    """A fund database's feed, paused so that the demo fetches nothing, and Café Kornet's deadline calendar."""
    source = feed_services.add_source(
        {"url": "https://fondsdatabasen.example.dk/opslag.rss", "name": "Fondsdatabasen"}, settings=FeedSettings(), now=now
    )
    feed_services.set_active(source, False, now=now)
    calendars.issue(organisation=orgs["Café Kornet"], name="Café Kornets frister", now=now)


MONTH_NAMES = {
    1: "januar",
    2: "februar",
    3: "marts",
    4: "april",
    5: "maj",
    6: "juni",
    7: "juli",
    8: "august",
    9: "september",
    10: "oktober",
    11: "november",
    12: "december",
}


def _project(kornet, *, now: dt.datetime) -> None:
    """The kitchen school's fourth year as a project: its costs, and money from a grant, two pending applications,
    the café's own sales and the municipality, with a gap still to fill."""
    project = projects.create_project(
        {
            "organisation": kornet,
            "name": "Køkkenskolen år 4",
            "description": "Unge i sommerjob i køkkenet og ved caféens catering.",
            "start_on": dt.date(now.year + 1, 1, 1),
            "end_on": dt.date(now.year + 1, 12, 31),
        },
        actor=None,
        now=now,
    )

    def line(**data):
        return projects.add_line(project, data, actor=None, now=now)

    wages = line(side="cost", label="Løn til unge og køkkenleder", amount_ore=520_000_00)
    line(side="cost", label="Råvarer og udstyr", amount_ore=180_000_00)
    line(side="cost", label="Mentorforløb", amount_ore=100_000_00)
    for title, covers in (
        ("Køkkenskolen år 4: unge i sommerjob", wages),
        ("Værdikæder i køkkenet: progression for unge", None),
        ("Suppekøkken for ensomme ældre", None),
    ):
        application = Application.get(Application.title == title)
        amount = 150_000_00 if title.startswith("Værdikæder") else None  # only part of the ESF+ project
        line(side="income", kind="application", application=application, covers=covers, amount_ore=amount)
    line(side="income", kind="own_revenue", label="Salg af catering", amount_ore=90_000_00)
    line(side="income", kind="municipality", label="Jobcentrets løntilskud", amount_ore=60_000_00)


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.local_zone()).astimezone(clock.UTC)


def _application(organisation, funder, title, requested, outcome, years_ago, *, owner, today, rng):
    """One application with a believable history: created, drafted, submitted, decided, reported."""
    if years_ago == 0:
        # This year's: ideas and drafts are recent, submissions wait for decisions in the weeks ahead.
        created = today - dt.timedelta(days=rng.randint(20, 120))
    else:
        created = today - dt.timedelta(days=365 * years_ago + rng.randint(-60, 60))
    submit_day = created + dt.timedelta(days=rng.randint(20, 45))
    decide_day = submit_day + dt.timedelta(days=rng.randint(50, 90))
    application = applications.create_application(
        {
            "organisation": organisation,
            "funder": funder,
            "title": title,
            "purpose": PURPOSE,
            "amount_requested_ore": requested,
            "owner": owner,
            "project_start_on": decide_day + dt.timedelta(days=30),
            "project_end_on": decide_day + dt.timedelta(days=30 + 365),
        },
        actor=owner,
        now=_moment(created),
    )
    if owner.role == "fundraiser":
        # No cure, no pay: the fundraiser's fee is agreed when the work starts.
        terms = (
            {"kind": "fixed", "fixed_ore": 15_000_00}
            if requested < 100_000_00
            else {"kind": "percent", "percent_bp": 800, "minimum_ore": 10_000_00, "cap_ore": 75_000_00}
        )
        terms["trigger"] = "money_received" if rng.random() < 0.25 else "award_letter"
        fees.set_agreement(application, terms, actor=owner, now=_moment(created))
    path = {
        "idea": [],
        "drafting": ["drafting"],
        "submitted": ["drafting", "submitted"],
        "granted": ["drafting", "submitted", "granted"],
        "rejected": ["drafting", "submitted", "rejected"],
        "withdrawn": ["drafting", "withdrawn"],
        "reporting": ["drafting", "submitted", "granted", "reporting"],
        "closed": ["drafting", "submitted", "granted", "reporting", "closed"],
    }[outcome]
    when = {
        "drafting": created + dt.timedelta(days=5),
        "submitted": submit_day,
        "granted": decide_day,
        "rejected": decide_day,
        "withdrawn": created + dt.timedelta(days=12),
        "reporting": decide_day + dt.timedelta(days=40),
        "closed": decide_day + dt.timedelta(days=40),
    }
    stamp = _moment(created)
    if outcome in ("idea", "drafting", "submitted"):
        deadline_day = today + dt.timedelta(days=rng.randint(5, 80)) if outcome != "submitted" else submit_day
        deadlines.add_deadline(
            application, "submission", deadline_day, now=stamp, due_at=_moment(deadline_day, 12) if rng.random() < 0.5 else None
        )
        if outcome != "submitted":
            deadlines.add_deadline(application, "internal_draft", deadline_day - dt.timedelta(days=7), now=stamp)
        else:
            deadlines.add_deadline(application, "decision_expected", today + dt.timedelta(days=rng.randint(10, 70)), now=stamp)
    else:
        deadlines.add_deadline(application, "submission", submit_day, now=stamp)
        deadlines.add_deadline(application, "internal_draft", submit_day - dt.timedelta(days=7), now=stamp)
    if outcome in ("drafting", "idea"):
        _theory_of_change(application, organisation, owner, when=_moment(created), complete=False, rng=rng)
    for stage in path:
        day = min(when[stage], today)
        if stage == "submitted":
            _theory_of_change(application, organisation, owner, when=_moment(day, 9), complete=True, rng=rng)
        if stage == "closed":
            reports = [d for d in application.deadlines if d.kind in ("interim_report", "final_report")]
            day = max([d.due_on for d in reports] + [day]) + dt.timedelta(days=10)
            if day >= today:
                _deliver_reports(application, today=today, rng=rng)
                break  # the final report is not due yet: the grant stays in reporting
            _deliver_reports(application, today=today, rng=rng, all_of_them=True)
        granted = None
        if stage == "granted":
            granted = requested if rng.random() < 0.6 else requested * rng.choice([70, 80, 90]) // 100 // 100_000 * 100_000
        applications.move_stage(
            application,
            stage,
            actor=owner,
            now=_moment(day, 14),
            amount_granted_ore=granted,
            decided_on=day,
            reason_code=rng.choice(REJECTION_REASONS) if stage == "rejected" else "",
            reason="Fonden prioriterede andre projekter i denne runde." if stage == "rejected" else "",
        )
    if application.stage == "reporting":
        _deliver_reports(application, today=today, rng=rng)
    if application.stage in ("granted", "reporting", "closed"):
        _settle_fee(application, decide_day, today=today, rng=rng)


ANSWERS = {
    "target_group": "Borgere på kanten af arbejdsmarkedet: ressourceforløb, kontanthjælp, fleksjob og integration, og unge uden uddannelse.",
    "activities": "1) Motivation og afklaring i fællesskab. 2) Opkvalificering i værkstedet. 3) Praktik med en fast makker. 4) Små job med flere timer over tid.",
    "movement": "Deltagerne får en plan, de selv ejer, og bevæger sig mod mere mestring og flere timer; lokalsamfundet får en mødeplads.",
    "outcomes": "Flere i job og uddannelse, målt efter et og to år; borgerne oplever mere mestring af eget liv.",
    "indicators": "Antal deltagere (optælling), antal i job efter forløbet (jobcentret), antal timer i praktik (timesedler).",
    "funding_after": "Salg af varer og ydelser og en samarbejdsaftale med jobcentret betaler driften, når bevillingen slutter.",
    "partner_after": "Kommunens jobcenter og det lokale erhvervsliv.",
    "bottom_social": "Job, praktik og fællesskab for mennesker, der ellers står uden for.",
    "bottom_local": "Lokale indkøb, en mødeplads og samarbejde med foreninger i nærområdet.",
    "bottom_economic": "Salget dækker en stigende del af driften; målet er halvdelen efter tre år.",
    "partners": "Jobcentret, Frivilligcenteret, lokale virksomheder og boligforeningen.",
    "risks": "At deltagerne ikke kan holde til forløbet: vi starter med få timer og trapper op.",
    "documentation": "Kvartalsvise tal til politikerne og historier fra deltagerne i årsrapporten.",
}


def _theory_of_change(application, organisation, owner, *, when, complete: bool, rng) -> None:
    """Answer the checklist the way a careful partner would (a draft has only its first answers)."""
    checklist = checklists.checklist_for(application, now=when)
    for index, (item, answer) in enumerate(checklists.rows(checklist)):
        if answer.status == "done" or (not complete and index > 5):
            continue
        data = {
            "status": "done" if complete else "draft",
            "text": ANSWERS.get(item.code, "Se projektbeskrivelsen."),
            "number": str(rng.choice([8, 12, 15, 20, 25])) if item.kind == "number" else "",
            "source": "Jobcentrets optælling og sidste års forløb" if item.kind == "number" else "",
            "un_goals": ", ".join(str(g) for g in organisation.un_goals + [17]),
        }
        checklists.save_answer(answer, data, actor=owner, now=when)


def _outcomes(deadline, *, when, rng) -> None:
    """With a delivered report, what was achieved against the indicators the checklist promised."""
    checklist = checklists.checklist_for(deadline.application, now=when)
    values = {
        item.id: (str(max(0, int(float(answer.number or 10) * rng.choice([0.6, 0.8, 1, 1.1, 1.3])))), "")
        for item, answer in checklists.promised_indicators(checklist)
    }
    checklists.record_outcomes(deadline, values, actor=None, now=when)


def _settle_fee(application, decided: dt.date, *, today: dt.date, rng) -> None:
    """Money arrives a month after the award; older fees are invoiced and most of them paid."""
    received = decided + dt.timedelta(days=30)
    if received <= today:
        applications.record_money_received(application, received, actor=application.owner, now=_moment(received, 9))
    agreement = fees.agreement_of(application)
    if agreement is None or agreement.status != "due":
        return
    invoiced = agreement.due_on + dt.timedelta(days=rng.randint(3, 20))
    if invoiced < today:
        fees.invoice(
            agreement,
            number=f"{invoiced.year}-{application.id:03d}",
            on=invoiced,
            actor=application.owner,
            now=_moment(invoiced, 9),
        )
        paid = invoiced + dt.timedelta(days=rng.randint(10, 40))
        if paid < today:
            fees.mark_paid(agreement, on=paid, actor=application.owner, now=_moment(paid, 9))


def _deliver_reports(application, *, today: dt.date, rng, all_of_them: bool = False) -> None:
    """Reports whose date has passed are mostly delivered, most on time, a few late."""
    for deadline in application.deadlines:
        if deadline.kind not in ("interim_report", "final_report") or deadline.done_at is not None:
            continue
        if deadline.due_on < today and (all_of_them or rng.random() < 0.8):
            delay = rng.choice([-10, -3, -1, 0, 0, 5, 20])
            delivered = min(deadline.due_on + dt.timedelta(days=delay), today)
            deadlines.complete_deadline(deadline, actor=application.owner, now=_moment(delivered, 11))
            _outcomes(deadline, when=_moment(delivered, 12), rng=rng)
