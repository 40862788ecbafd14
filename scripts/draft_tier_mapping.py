"""Draft a providing tier for LGSL services from ordered keyword rules.

The official tier file (lgsl_providing_tier.csv) covers only 116 of the 1,519
services in the LGSL.  This script guesses a tier for the rest so that a person
can review the guesses row by row; the reviewed result is
src/onestop/data/reference/lgsl_tier_mapping.csv.

Each rule is a regular expression with a tier and a short name.  A service is
matched against its label first (rules in order, first hit wins) and, only if
no rule matches the label, against its description.  A service that no rule
matches gets no tier from the rules and must be decided by hand.

Usage (from the repository root):

    python scripts/draft_tier_mapping.py                      # accuracy only
    python scripts/draft_tier_mapping.py --draft /tmp/d.csv   # also write draft
    python scripts/draft_tier_mapping.py --check-reviewed     # compare mapping

Accuracy is measured on the 116 services whose tier is known; rows that no
rule matches count as wrong.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[1] / "src" / "onestop" / "data" / "reference"
SERVICES_CSV = REFERENCE / "lgsl_services.csv"
KNOWN_TIERS_CSV = REFERENCE / "lgsl_providing_tier.csv"
MAPPING_CSV = REFERENCE / "lgsl_tier_mapping.csv"

COUNTY = "county/unitary"
DISTRICT = "district/unitary"
ALL = "all"
TIERS = (COUNTY, DISTRICT, ALL)


@dataclass(frozen=True)
class Rule:
    name: str
    tier: str
    pattern: re.Pattern[str]


def rule(name: str, tier: str, *words: str) -> Rule:
    """Build a rule matching any of ``words`` (regex fragments) at a word start."""
    return Rule(name, tier, re.compile(r"\b(?:" + "|".join(words) + ")", re.IGNORECASE))


# Order matters: the first rule that matches wins, so narrow rules come before
# the broad ones they would otherwise lose to (taxis before transport, fire
# before licences, council tax before housing, ...).
RULES: tuple[Rule, ...] = (
    # Internal council functions (staff, ICT, finance...): every council has them.
    rule(
        "back office",
        ALL,
        r"^(?:staff|ict|finance|facilities|corporate|members|legal|operations)\s*-",
    ),
    # Services run by central government, regulators, the NHS or the police:
    # no council provides them, so either tier may signpost them.
    rule(
        "national service",
        ALL,
        r"passport",
        r"visas?\b",
        r"immigration",
        r"national (?:insurance|identity)",
        r"income tax",
        r"personal tax",
        r"jury service",
        r"driving (?:licence|instructor)",
        r"motor vehicle",
        r"tv and radio",
        r"pensions?\b",
        r"jobseeker",
        r"universal credit",
        r"employment & support",
        r"child (?:allowance|maintenance)",
        r"carers allowance",
        r"legal aid",
        r"armed forces recruitment",
        r"company registration",
        r"air (?:traffic|travel)",
        r"aircraft",
        r"airline",
        r"flight crew",
        r"airport",
        r"barrister",
        r"solicitor",
        r"architect registration",
        r"actuary",
        r"patent",
        r"trade mark",
        r"insolvency",
        r"veterinary",
        r"farrier",
        r"gas (?:supplier|shipper|transportation|interconnector)",
        r"electricity",
        r"water (?:abstraction|discharge|transportation)",
        r"university",
        r"degree awards",
        r"conveyancer",
        r"chartered surveyor",
        r"police",
        r"crime investigation",
        r"firearms",
        r"shotgun",
        r"family doctor",
        r"dental",
        r"physiotherapy",
        r"emergency department",
        r"prescription",
        r"midwifery",
        r"ambulance",
        r"patient transport",
    ),
    rule("fire and rescue", COUNTY, r"fire\b", r"arson", r"rescue", r"hydrant"),
    rule(
        "registration service",
        COUNTY,
        r"birth",
        r"death (?:registration|- historical)",
        r"stillbirth",
        r"marriage",
        r"civil partnership",
        r"citizenship ceremon",
        r"naming ceremon",
        r"wedding",
        r"registrar",
        r"copy certificates",
    ),
    rule(
        "council tax and benefits",
        DISTRICT,
        r"council tax",
        r"business rates?\b",
        r"non-domestic rate",
        r"housing benefit",
        r"local housing allowance",
        r"discretionary housing payment",
        r"benefit fraud",
    ),
    rule(
        "education",
        COUNTY,
        r"schools?\b",
        r"pupils?\b",
        r"educat",
        r"nursery",
        r"special educational",
        r"students?\b",
        r"bursary",
        r"governors?\b",
        r"curriculum",
        r"truancy",
        r"tuition",
        r"learning",
        r"children's centre",
        r"childcare",
        r"childmind",
        r"early years",
        r"careers",
        r"youth",
        r"young people",
        r"teenage",
        r"gifted",
    ),
    rule("taxi licensing", DISTRICT, r"hackney", r"private hire", r"taxi", r"minicab"),
    rule("community transport", DISTRICT, r"community transport"),
    rule("sheltered housing", ALL, r"sheltered"),
    rule(
        "social care",
        COUNTY,
        r"social (?:care|services|work)",
        r"socal services",
        r"care homes?\b",
        r"residential care",
        r"home care",
        r"care at home",
        r"carers?\b",
        r"respite",
        r"shared care",
        r"adoption",
        r"foster",
        r"child protection",
        r"safeguarding",
        r"looked after",
        r"leaving care",
        r"in care\b",
        r"children",
        r"child\b",
        r"care act",
        r"disabled (?:people|persons)",
        r"older people",
        r"elderly",
        r"occupational therapy",
        r"mental health",
        r"day (?:care|centre)",
        r"meals",
        r"telecare",
        r"community equipment",
        r"direct payment",
        r"care (?:plan|needs)",
        r"advocacy",
        r"autism",
        r"hospice",
        r"adult placement",
        r"domiciliary",
        r"independence support",
        r"incontinence",
        r"hospital",
        r"financial affairs",
        r"guardianship",
    ),
    rule(
        "public health",
        COUNTY,
        r"public health",
        r"stopping smoking",
        r"sexual health",
        r"contraception",
        r"health checks?",
        r"child measurement",
        r"drugs?\b",
        r"alcohol advice",
        r"immunisation",
        r"vaccination",
        r"health (?:promotion|advice)",
        r"wellbeing",
        r"needle exchange",
        r"hiv",
    ),
    rule("libraries and archives", COUNTY, r"librar", r"archive", r"book"),
    rule(
        "trading standards and animal health",
        COUNTY,
        r"trading standards",
        r"weights and measures",
        r"product safety",
        r"consumer",
        r"fair trading",
        r"under age sales",
        r"food labelling",
        r"feed hygiene",
        r"petroleum",
        r"explosives",
        r"fireworks",
        r"calibration",
        r"trader approval",
        r"weighbridge",
        r"(?:animal|cattle|sheep|pig)\w* (?:and goat )?movement",
        r"rabies",
        r"animal (?:importation|by-products|transport)",
        r"notifiable",
    ),
    rule("car parks", DISTRICT, r"car parks?\b"),
    rule("parking", ALL, r"parking"),
    rule(
        "waste disposal",
        COUNTY,
        r"disposal sites?",
        r"recycling (?:sites?|centres?)",
        r"waste (?:local plan|strategy)",
        r"minerals",
    ),
    rule(
        "flooding",
        COUNTY,
        r"flood prevention",
        r"surface water",
        r"sustainable drainage",
        r"land drainage",
    ),
    rule(
        "highways and transport",
        COUNTY,
        r"roads?\b",
        r"highways?",
        r"pavements?",
        r"footway",
        r"street (?:lighting|works|furniture)",
        r"traffic",
        r"pedestrian",
        r"crossing",
        r"speed",
        r"yellow lines",
        r"bridges?",
        r"cycl",
        r"verges?",
        r"gritting",
        r"snow",
        r"bus(?:es)?\b",
        r"bus stops?",
        r"transport",
        r"journey",
        r"timetable",
        r"travel",
        r"ferries",
        r"toll",
        r"congestion",
        r"skip permit",
        r"scaffold",
        r"building materials",
        r"abnormal load",
        r"weight limit",
        r"signs\b",
        r"kerb",
        r"stopping up",
        r"red routes",
        r"lorry",
        r"park and ride",
        r"car pooling",
        r"canals",
    ),
    rule(
        "rights of way and countryside access",
        COUNTY,
        r"rights? of way",
        r"footpath",
        r"bridleway",
        r"common land",
        r"village green",
        r"access land",
        r"local access forum",
        r"archaeolog",
    ),
    rule(
        "environmental health",
        DISTRICT,
        r"environmental health",
        r"food",
        r"hygiene",
        r"noise",
        r"nuisance",
        r"pollution",
        r"air (?:quality|handling)",
        r"contaminated land",
        r"pests?\b",
        r"health and safety",
        r"infectious",
        r"private water",
        r"septic",
        r"smok",
        r"clean air",
        r"asbestos",
        r"dangerous (?:structures?|buildings?)",
        r"multiple occupa",
        r"tattoo",
        r"piercing",
        r"acupunctur",
        r"massage",
        r"stray",
        r"dogs?\b",
        r"animal",
        r"cooling tower",
        r"idling",
        r"emission",
        r"drainage",
        r"dead animal",
    ),
    rule(
        "waste collection and street cleaning",
        DISTRICT,
        r"waste",
        r"refuse",
        r"bins?\b",
        r"recycl",
        r"litter",
        r"street cleaning",
        r"fly ?tipping",
        r"fly ?posting",
        r"graffiti",
        r"compost",
        r"trolleys",
        r"abandoned",
        r"spillage",
        r"skips?\b",
        r"syringe",
        r"vandalism",
    ),
    rule(
        "housing",
        DISTRICT,
        r"housing",
        r"tenan",
        r"council (?:home|propert)",
        r"homeless",
        r"hostels?",
        r"rents?\b",
        r"arrears",
        r"landlord",
        r"right to buy",
        r"mortgage",
        r"repairs",
        r"garages?",
        r"empty (?:residential )?propert",
        r"home ownership",
        r"gypsy",
        r"caravan",
        r"mobile home",
        r"moveable dwelling",
        r"insulation",
        r"energy efficiency",
        r"home improvement",
        r"renovation",
        r"disabled facilities",
        r"demolition",
    ),
    rule(
        "planning and building control",
        DISTRICT,
        r"planning",
        r"development (?:control|order|plan|framework)",
        r"building (?:control|regulation|warrant)",
        r"listed building",
        r"conservation area",
        r"tree",
        r"local plan",
        r"land charges",
        r"property searches",
        r"street nam",
        r"numbering",
        r"address",
        r"hedges?",
        r"advertisement",
        r"lawful development",
        r"permitted (?:residential|commercial)",
        r"community infrastructure levy",
    ),
    rule(
        "elections",
        DISTRICT,
        r"elector",
        r"voting",
        r"polling",
        r"elections?\b",
        r"referend",
        r"nominations",
    ),
    rule(
        "leisure cemeteries and markets",
        DISTRICT,
        r"leisure",
        r"sports?\b",
        r"swimming",
        r"golf",
        r"pitches",
        r"play (?:area|facilities)",
        r"allotment",
        r"cemeter",
        r"cremat",
        r"burial",
        r"graves?\b",
        r"memorial",
        r"funeral",
        r"bereavement",
        r"markets?\b",
        r"public toilets",
        r"touris",
        r"hall hire",
        r"community centre",
        r"harbour",
        r"boats?\b",
        r"beach",
        r"coast",
    ),
    rule(
        "licensing",
        DISTRICT,
        r"licen[cs]",
        r"permits?\b",
        r"registration",
        r"certificates?\b",
        r"gaming",
        r"gambling",
        r"betting",
        r"lotter",
        r"street trading",
        r"collection",
    ),
    rule(
        "parks countryside and culture",
        ALL,
        r"parks?\b",
        r"open spaces?",
        r"countryside",
        r"nature reserve",
        r"museums?",
        r"galler",
        r"arts?\b",
        r"cultur",
        r"heritage",
        r"events?\b",
        r"part(?:y|ies)\b",
    ),
    rule(
        "democracy and corporate",
        ALL,
        r"councillors?",
        r"mayor",
        r"minutes",
        r"agendas?",
        r"committee",
        r"constitution",
        r"petitions?",
        r"freedom of information",
        r"data protection",
        r"complaints?",
        r"consultation",
        r"scrutiny",
        r"civic",
        r"transparency",
        r"open data",
        r"publications?",
        r"news",
        r"feedback",
        r"surveys?\b",
        r"equal",
        r"diversity",
        r"performance",
        r"value for money",
        r"spending",
        r"expenditure",
        r"byelaws",
        r"parish",
        r"community councils?",
        r"procurement",
        r"suppliers",
        r"vacancies",
    ),
    rule(
        "economy and community",
        ALL,
        r"business",
        r"economic",
        r"regeneration",
        r"employment",
        r"jobs?\b",
        r"community",
        r"voluntary",
        r"volunteer",
        r"grants?\b",
        r"funding",
        r"partnership",
        r"advice",
        r"support",
        r"emergenc",
        r"major incident",
        r"crime",
        r"anti-social",
    ),
)


@dataclass(frozen=True)
class Service:
    lgsl: int
    label: str
    description: str


def load_services(path: Path = SERVICES_CSV) -> dict[int, Service]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            int(row["Identifier"]): Service(
                int(row["Identifier"]), row["Label"].strip(), row["Description"].strip()
            )
            for row in csv.DictReader(handle)
        }


def load_known_tiers(path: Path = KNOWN_TIERS_CSV) -> dict[int, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {int(row["LGSL"]): row["Providing Tier"].strip() for row in csv.DictReader(handle)}


def classify(service: Service) -> Rule | None:
    """Return the first rule matching the label, else the description, else None."""
    for text in (service.label, service.description):
        text = " ".join(text.split())
        for candidate in RULES:
            if candidate.pattern.search(text):
                return candidate
    return None


def report_accuracy(services: dict[int, Service], known: dict[int, str]) -> None:
    scored = sorted(lgsl for lgsl in known if lgsl in services)
    confusion: Counter[tuple[str, str]] = Counter()
    misses: list[str] = []
    for lgsl in scored:
        found = classify(services[lgsl])
        guess = found.tier if found else "(no rule)"
        confusion[known[lgsl], guess] += 1
        if guess != known[lgsl]:
            rule_name = found.name if found else "-"
            misses.append(
                f"  {lgsl:>5}  {services[lgsl].label}: "
                f"known {known[lgsl]}, rule '{rule_name}' gave {guess}"
            )
    right = sum(n for (truth, guess), n in confusion.items() if truth == guess)
    print(
        f"Known tiers scored: {len(scored)} (not in the services list: "
        f"{', '.join(str(n) for n in sorted(set(known) - set(services))) or 'none'})"
    )
    print(f"Overall accuracy: {right}/{len(scored)} = {right / len(scored):.1%}")
    for tier in TIERS:
        total = sum(n for (truth, _), n in confusion.items() if truth == tier)
        hits = confusion[tier, tier]
        print(f"  {tier:<17} {hits}/{total} = {hits / total:.1%}")
    guesses = (*TIERS, "(no rule)")
    print("Confusion (rows: known tier, columns: rule tier):")
    print(" " * 19 + "".join(f"{g:>18}" for g in guesses))
    for tier in TIERS:
        print(f"  {tier:<17}" + "".join(f"{confusion[tier, g]:>18}" for g in guesses))
    if misses:
        print("Misses:")
        print("\n".join(misses))


def draft_rows(services: dict[int, Service], known: dict[int, str]) -> list[dict[str, str]]:
    rows = []
    for lgsl in sorted(set(services) - set(known)):
        found = classify(services[lgsl])
        rows.append(
            {
                "lgsl": str(lgsl),
                "label": services[lgsl].label,
                "providing_tier": found.tier if found else "",
                "rule": found.name if found else "",
            }
        )
    return rows


def write_draft(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["lgsl", "label", "providing_tier", "rule"])
        writer.writeheader()
        writer.writerows(rows)
    unmatched = sum(1 for row in rows if not row["rule"])
    print(f"Draft: {len(rows)} services written to {path} ({unmatched} matched no rule)")
    print("Draft tiers:", dict(Counter(row["providing_tier"] or "(none)" for row in rows)))


def check_reviewed(rows: list[dict[str, str]], path: Path = MAPPING_CSV) -> None:
    """Compare the reviewed mapping with the draft: what was kept and what changed."""
    draft = {row["lgsl"]: row for row in rows}
    with path.open(newline="", encoding="utf-8") as handle:
        reviewed = list(csv.DictReader(handle))
    if sorted(draft) != sorted(row["lgsl"] for row in reviewed):
        sys.exit(f"{path.name} does not cover exactly the {len(draft)} drafted services")
    outcome: Counter[str] = Counter()
    for row in reviewed:
        guess = draft[row["lgsl"]]
        if row["basis"].startswith("rule:"):
            if (
                row["basis"] != f"rule:{guess['rule']}"
                or row["providing_tier"] != guess["providing_tier"]
            ):
                sys.exit(f"LGSL {row['lgsl']}: basis {row['basis']} does not match the draft")
            outcome["kept from rules"] += 1
        elif not guess["rule"]:
            outcome["no rule, decided by review"] += 1
        elif row["providing_tier"] != guess["providing_tier"]:
            outcome["tier changed by review"] += 1
        else:
            outcome["same tier, rule's reason replaced by review"] += 1
    print(f"Reviewed mapping: {len(reviewed)} rows")
    for name, count in outcome.items():
        print(f"  {name}: {count}")
    print("Reviewed tiers:", dict(Counter(row["providing_tier"] for row in reviewed)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draft", type=Path, help="write the draft mapping CSV here")
    parser.add_argument(
        "--check-reviewed",
        action="store_true",
        help=f"compare {MAPPING_CSV.name} with the draft",
    )
    args = parser.parse_args(argv)

    services = load_services()
    known = load_known_tiers()
    report_accuracy(services, known)
    rows = draft_rows(services, known)
    if args.draft:
        write_draft(rows, args.draft)
    if args.check_reviewed:
        check_reviewed(rows)


if __name__ == "__main__":
    main()
