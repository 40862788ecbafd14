"""Who works in the demo: teams, staff, their ID cards and the partner system's token.

Plain data; `do_set_up_demo_staff` in actions.py writes it. The secrets here are demo-only
and printed by `onestop demo`: they exist so that anyone can sign in and try the product.
"""

from __future__ import annotations

from dataclasses import dataclass

from onestop.demo.places import BABERGH, COUNTY, MID_SUFFOLK
from onestop.staff.models import Role

DEMO_PASSWORD = "onestop-demo"
SERVICE_OWNER = "service-owner"  # keeps the shipped service scripts and eligibility rules
# 40 characters: the most a DRF token key column holds.
DEMO_API_TOKEN = "demo-partner-token-000000000000000000000"
# Every demo team's back-office system is the demo back office (integrations/demo_back_office),
# which checks each webhook's signature with this.
DEMO_WEBHOOK_SECRET = "demo-webhook-secret-not-for-real-use"
ALL = (COUNTY, MID_SUFFOLK, BABERGH)

# (slug, name, authority slug, LGSL numbers of the services it handles, leader's username).
# Every service the demo's dialogues refer or request routes to exactly one of these in
# the demo area: county services to Suffolk, district ones (and parking, which every tier
# may provide) to the district the address lies in.
TEAMS = (
    ("suffolk-schools-admissions", "Suffolk schools admissions", COUNTY, (4,),
     "county-team-leader"),
    ("suffolk-highways", "Suffolk highways", COUNTY, (557,), "county-team-leader"),
    ("suffolk-adult-social-care", "Suffolk adult social care", COUNTY, (279, 209),
     "county-team-leader"),
    ("suffolk-passenger-transport", "Suffolk passenger transport", COUNTY, (273,),
     "county-team-leader"),
    ("suffolk-libraries", "Suffolk libraries", COUNTY, (437,), "county-team-leader"),
    ("mid-suffolk-revenues-and-benefits", "Mid Suffolk revenues and benefits", MID_SUFFOLK,
     (58, 69), "team-leader"),
    ("mid-suffolk-waste-services", "Mid Suffolk waste services", MID_SUFFOLK, (524, 528, 530),
     "team-leader"),
    ("mid-suffolk-housing", "Mid Suffolk housing", MID_SUFFOLK, (139, 156), "team-leader"),
    ("mid-suffolk-environmental-protection", "Mid Suffolk environmental protection",
     MID_SUFFOLK, (412,), "team-leader"),
    ("mid-suffolk-electoral-services", "Mid Suffolk electoral services", MID_SUFFOLK, (364,),
     "team-leader"),
    ("mid-suffolk-parking", "Mid Suffolk parking", MID_SUFFOLK, (474,), "team-leader"),
    ("babergh-revenues-and-benefits", "Babergh revenues and benefits", BABERGH, (58, 69),
     "team-leader"),
    ("babergh-waste-services", "Babergh waste services", BABERGH, (524, 528, 530),
     "team-leader"),
    ("babergh-housing", "Babergh housing", BABERGH, (139, 156), "team-leader"),
    ("babergh-environmental-protection", "Babergh environmental protection", BABERGH, (412,),
     "team-leader"),
    ("babergh-electoral-services", "Babergh electoral services", BABERGH, (364,),
     "team-leader"),
    ("babergh-parking", "Babergh parking", BABERGH, (474,), "team-leader"),
)
COUNTY_TEAMS = tuple(slug for slug, _, authority, _, _ in TEAMS if authority == COUNTY)
WASTE_TEAMS = ("mid-suffolk-waste-services", "babergh-waste-services")
HOUSING_TEAMS = ("mid-suffolk-housing", "babergh-housing", "mid-suffolk-environmental-protection",
                 "babergh-environmental-protection")
ELECTORAL_TEAMS = ("mid-suffolk-electoral-services", "babergh-electoral-services",
                   "mid-suffolk-parking", "babergh-parking")


@dataclass(frozen=True)
class DemoStaffMember:
    username: str
    first_name: str
    last_name: str
    role: str
    authorities: tuple[str, ...]
    teams: tuple[str, ...] = ()
    card: str = ""
    pin: str = ""
    uses_password: bool = False
    api_token: str = ""


STAFF = (
    DemoStaffMember("adviser", "Priya", "Shah", Role.ADVISER, ALL, card="100001", pin="1234"),
    DemoStaffMember("babergh-adviser", "Tom", "Fletcher", Role.ADVISER, (BABERGH,),
                    card="100002", pin="2345"),
    DemoStaffMember("team-leader", "Helen", "Marsh", Role.TEAM_LEADER, ALL,
                    uses_password=True),
    DemoStaffMember("back-office", "Gary", "Pryke", Role.BACK_OFFICE_OFFICER,
                    (MID_SUFFOLK, BABERGH),
                    teams=("mid-suffolk-revenues-and-benefits", "babergh-revenues-and-benefits"),
                    uses_password=True),
    DemoStaffMember("county-team-leader", "Sam", "Adeyemi", Role.TEAM_LEADER, (COUNTY,),
                    uses_password=True),
    DemoStaffMember("county-officer", "Ruth", "Kemp", Role.BACK_OFFICE_OFFICER, (COUNTY,),
                    teams=COUNTY_TEAMS, uses_password=True),
    DemoStaffMember("waste-officer", "Dean", "Mills", Role.BACK_OFFICE_OFFICER,
                    (MID_SUFFOLK, BABERGH), teams=WASTE_TEAMS, uses_password=True),
    DemoStaffMember("housing-officer", "Amira", "Khan", Role.BACK_OFFICE_OFFICER,
                    (MID_SUFFOLK, BABERGH), teams=HOUSING_TEAMS, uses_password=True),
    DemoStaffMember("elections-officer", "Owen", "Reeve", Role.BACK_OFFICE_OFFICER,
                    (MID_SUFFOLK, BABERGH), teams=ELECTORAL_TEAMS, uses_password=True),
    DemoStaffMember(SERVICE_OWNER, "Rachel", "Goddard", Role.SERVICE_OWNER, ALL,
                    uses_password=True),
    DemoStaffMember("councillor", "Jean", "Whitby", Role.COUNCILLOR, (MID_SUFFOLK,),
                    uses_password=True),
    DemoStaffMember("administrator", "Chris", "Okoro", Role.ADMINISTRATOR, ALL,
                    uses_password=True),
    DemoStaffMember("partner", "Partner", "System", Role.PARTNER_SYSTEM, ALL,
                    api_token=DEMO_API_TOKEN),
)


def sign_in_lines() -> list[str]:
    """The demo sign-ins, as `onestop demo` prints them."""
    lines = []
    for member in STAFF:
        label = f"{member.role.label.lower()} acting for {', '.join(member.authorities)}"
        if member.card:
            lines.append(f"  ID card {member.card}, PIN {member.pin}: {member.username} "
                         f"({label})")
        elif member.uses_password:
            lines.append(f"  username {member.username}, password {DEMO_PASSWORD} ({label})")
        elif member.api_token:
            lines.append(f"  API token {member.api_token}: {member.username} ({label}); send "
                         f"'Authorization: Token {member.api_token}'")
    return lines
