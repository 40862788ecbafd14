"""The geography of the demo area: real towns and villages of Mid Suffolk and Babergh.

Towns, post towns, outward codes and dialling codes are real so that the demo reads like
Suffolk; school names are plausible (not a directory); streets, house numbers, inward codes
and UPRNs are made up.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTY = "suffolk"
MID_SUFFOLK = "mid-suffolk"
BABERGH = "babergh"
DISTRICTS = (MID_SUFFOLK, BABERGH)

SHARED_SERVICE_SLUG = "suffolk-contact-centre"
SHARED_SERVICE_NAME = "Suffolk Contact Centre"

# Synthetic UPRNs: one block per district, far from the test personas' 2000... range, so
# that the demo can find (and remove) exactly its own properties on a rebuild.
UPRN_BASE = {MID_SUFFOLK: 100_011_000_000, BABERGH: 100_021_000_000}
UPRN_BLOCK = 1_000_000


def demo_uprn_ranges() -> list[tuple[int, int]]:
    return [(base, base + UPRN_BLOCK - 1) for base in UPRN_BASE.values()]


@dataclass(frozen=True)
class Place:
    district: str
    name: str
    post_town: str
    outward: str
    # How many households it gets, relative to the other places of its district.
    weight: float
    # Dialling code and the first digits its local numbers start with.
    dialling_code: str
    exchanges: tuple[str, ...]
    # Two letters of its polling districts on the electoral register.
    polling: str
    primary_school: str
    secondary_school: str
    # Residents' parking zones; empty for villages without on-street permits.
    parking_zones: tuple[str, ...] = ()

    @property
    def is_town(self) -> bool:
        return bool(self.parking_zones)


def _place(district, name, post_town, outward, weight, dialling, exchanges, polling,
           primary, secondary, zones=()):
    return Place(district, name, post_town, outward, weight, dialling, exchanges, polling,
                 primary, secondary, zones)


PLACES: tuple[Place, ...] = (
    _place(MID_SUFFOLK, "Stowmarket", "Stowmarket", "IP14", 20, "01449", ("61", "67", "77"),
           "SA", "Wood Ley Primary School", "Stowmarket High School",
           ("Stowmarket Zone A", "Stowmarket Zone B", "Stowmarket Zone C")),
    _place(MID_SUFFOLK, "Needham Market", "Needham Market", "IP6", 5, "01449", ("72", "78"),
           "NA", "Bosmere Community Primary School", "Stowupland High School",
           ("Needham Market Zone N",)),
    _place(MID_SUFFOLK, "Eye", "Eye", "IP23", 2.5, "01379", ("87",), "EA",
           "Eye Church of England Primary School", "Hartismere School", ("Eye Zone E",)),
    _place(MID_SUFFOLK, "Debenham", "Stowmarket", "IP14", 2, "01728", ("86",), "DA",
           "Sir Robert Hitcham's Primary School", "Debenham High School"),
    _place(MID_SUFFOLK, "Thurston", "Bury St Edmunds", "IP31", 3, "01359", ("23", "24"),
           "TA", "Thurston Church of England Primary Academy", "Thurston Community College"),
    _place(MID_SUFFOLK, "Elmswell", "Bury St Edmunds", "IP30", 3, "01359", ("24", "25"),
           "EB", "Elmswell Community Primary School", "Thurston Community College"),
    _place(MID_SUFFOLK, "Woolpit", "Bury St Edmunds", "IP30", 1.5, "01359", ("24",), "WA",
           "Woolpit Community Primary Academy", "Thurston Community College"),
    _place(MID_SUFFOLK, "Claydon", "Ipswich", "IP6", 3, "01473", ("83",), "CA",
           "Claydon Primary School", "Claydon High School"),
    _place(MID_SUFFOLK, "Bramford", "Ipswich", "IP8", 2, "01473", ("74",), "BA",
           "Bramford Church of England Primary School", "Claydon High School"),
    _place(MID_SUFFOLK, "Mendlesham", "Stowmarket", "IP14", 1.2, "01449", ("76",), "MA",
           "Mendlesham Primary School", "Stowupland High School"),
    _place(MID_SUFFOLK, "Haughley", "Stowmarket", "IP14", 1, "01449", ("67",), "HA",
           "Crawford's Church of England Primary School", "Stowupland High School"),
    _place(MID_SUFFOLK, "Stradbroke", "Eye", "IP21", 1, "01379", ("38",), "SB",
           "Stradbroke Church of England Primary School", "Stradbroke High School"),
    _place(MID_SUFFOLK, "Botesdale", "Diss", "IP22", 1, "01379", ("89",), "BB",
           "Botesdale Primary School", "Hartismere School"),
    _place(BABERGH, "Sudbury", "Sudbury", "CO10", 14, "01787", ("31", "37", "88"), "SU",
           "Woodhall Primary School", "Ormiston Sudbury Academy",
           ("Sudbury Zone S1", "Sudbury Zone S2", "Sudbury Zone S3")),
    _place(BABERGH, "Great Cornard", "Sudbury", "CO10", 6, "01787", ("37", "88"), "GC",
           "Pot Kiln Primary School", "Thomas Gainsborough School"),
    _place(BABERGH, "Hadleigh", "Ipswich", "IP7", 6, "01473", ("82",), "HD",
           "Beaumont Community Primary School", "Hadleigh High School",
           ("Hadleigh Zone H1", "Hadleigh Zone H2")),
    _place(BABERGH, "Lavenham", "Sudbury", "CO10", 1.5, "01787", ("24",), "LA",
           "Lavenham Community Primary School", "Thomas Gainsborough School",
           ("Lavenham Zone L1",)),
    _place(BABERGH, "Long Melford", "Sudbury", "CO10", 2.5, "01787", ("31", "37"), "LM",
           "Long Melford Church of England Primary School", "Ormiston Sudbury Academy"),
    _place(BABERGH, "Glemsford", "Sudbury", "CO10", 2, "01787", ("28",), "GL",
           "Glemsford Primary Academy", "Ormiston Sudbury Academy"),
    _place(BABERGH, "Capel St Mary", "Ipswich", "IP9", 2, "01473", ("31",), "CM",
           "Capel St Mary Church of England Primary School", "East Bergholt High School"),
    _place(BABERGH, "Holbrook", "Ipswich", "IP9", 1.5, "01473", ("32",), "HB",
           "Holbrook Primary School", "Holbrook Academy"),
    _place(BABERGH, "Brantham", "Manningtree", "CO11", 1.5, "01206", ("39",), "BR",
           "Brantham Hill Primary School", "East Bergholt High School"),
    _place(BABERGH, "East Bergholt", "Colchester", "CO7", 2, "01206", ("29",), "EB",
           "East Bergholt Church of England Primary School", "East Bergholt High School"),
    _place(BABERGH, "Pinewood", "Ipswich", "IP8", 3, "01473", ("68", "69"), "PW",
           "Pinewood Primary School", "Holbrook Academy"),
    _place(BABERGH, "Boxford", "Sudbury", "CO10", 1, "01787", ("21",), "BX",
           "Boxford Church of England Primary School", "Hadleigh High School"),
)

PLACES_BY_DISTRICT: dict[str, tuple[Place, ...]] = {
    district: tuple(place for place in PLACES if place.district == district)
    for district in DISTRICTS
}

# Roughly the districts' shares of the two populations (about 105,000 and 93,000).
DISTRICT_WEIGHTS = {MID_SUFFOLK: 0.53, BABERGH: 0.47}

# Where people who moved in during the last year lived before, outside the two districts.
ELSEWHERE = (
    ("Ipswich", "IP1"), ("Ipswich", "IP3"), ("Ipswich", "IP4"), ("Colchester", "CO1"),
    ("Colchester", "CO4"), ("Bury St Edmunds", "IP33"), ("Bury St Edmunds", "IP32"),
    ("Diss", "IP22"), ("Haverhill", "CB9"), ("Chelmsford", "CM1"),
)

STREET_STEMS = (
    "Church", "Mill", "Station", "Chapel", "Orchard", "Meadow", "Oak", "Elm", "Willow",
    "Hawthorn", "Kings", "Queens", "Victoria", "Gipping", "Stour", "Brett", "Abbey", "Barley",
    "Beech", "Birch", "Bridge", "Castle", "Cedar", "Chestnut", "Clover", "Common", "Cross",
    "Finborough", "Friars", "Glebe", "Green", "Hall", "Harvest", "Hazel", "Heath", "Hillside",
    "Holly", "Iliffe", "Kiln", "Lime", "Maple", "Market", "Merrifield", "Minden", "Newton",
    "Old Maltings", "Paddock", "Poplar", "Priory", "Rectory", "School", "Spring", "Stonham",
    "Tavern", "Tithe", "Union", "Violet", "Walnut", "Windmill", "Wolsey", "Gainsborough",
    "Constable", "Melford", "Cornard", "Bures", "Ipswich", "Bury", "Norwich", "Hadleigh",
)
STREET_KINDS = (
    ("Road", 30), ("Lane", 18), ("Close", 16), ("Street", 8), ("Way", 8), ("Drive", 6),
    ("Gardens", 4), ("Avenue", 4), ("Crescent", 3), ("Walk", 2), ("Meadows", 1),
)
BLOCK_KINDS = ("Court", "House", "Lodge", "Mews", "Place")

# Inward-code letters: Royal Mail never uses C, I, K, M, O or V there.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
