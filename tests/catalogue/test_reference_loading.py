"""The shipped reference data loads whole, once, and every service has a providing tier."""

from __future__ import annotations

import csv
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from onestop.authorities.models import Authority
from onestop.catalogue.models import Function, ProvidingTier, Service

DATA_DIR = Path(__file__).resolve().parents[2] / "src" / "onestop" / "data"
REFERENCE = DATA_DIR / "reference"

pytestmark = pytest.mark.django_db


def load(data_dir: Path = DATA_DIR) -> str:
    out = StringIO()
    call_command("load_reference", data_dir=data_dir, stdout=out)
    return out.getvalue()


def test_all_1519_lgsl_services_are_loaded_each_with_a_providing_tier():
    assert Service.objects.count() == 1519
    assert not Service.objects.exclude(providing_tier__in=ProvidingTier.values).exists()
    assert Service.objects.filter(tier_source=Service.TierSource.OFFICIAL).count() == 116
    assert Service.objects.filter(tier_source=Service.TierSource.MAPPING).count() == 1403


def test_uk_authorities_and_functions_are_loaded_with_their_tiers_and_parents():
    assert Authority.objects.count() == 382
    assert Function.objects.count() == 113
    mid_suffolk = Authority.objects.get(slug="mid-suffolk")
    assert mid_suffolk.tier == Authority.Tier.DISTRICT
    assert mid_suffolk.parent.slug == "suffolk"
    assert Authority.objects.get(slug="suffolk").tier == Authority.Tier.COUNTY
    assert Authority.objects.get(slug="southwark").tier == Authority.Tier.UNITARY


def test_official_tiers_win_and_well_known_services_have_the_expected_tier():
    expected = {
        4: "county/unitary",  # free school meals
        530: "district/unitary",  # garden waste
        57: "district/unitary",  # council tax
        279: "county/unitary",  # blue badge
        437: "county/unitary",  # libraries
        474: "all",  # parking permits
    }
    tiers = dict(Service.objects.filter(lgsl__in=expected).values_list("lgsl", "providing_tier"))
    assert tiers == expected


def test_the_project_mapping_covers_exactly_the_services_missing_from_the_official_file():
    with (REFERENCE / "lgsl_providing_tier.csv").open() as handle:
        official = {int(row["LGSL"]) for row in csv.DictReader(handle)}
    with (REFERENCE / "lgsl_tier_mapping.csv").open() as handle:
        mapped = [int(row["lgsl"]) for row in csv.DictReader(handle)]
    loaded = set(Service.objects.values_list("lgsl", flat=True))
    assert len(mapped) == len(set(mapped))
    assert not set(mapped) & official
    assert set(mapped) | (official & loaded) == loaded


def test_loading_again_changes_nothing():
    output = load()
    assert "authorities: 0 created, 0 updated, 382 unchanged" in output
    assert "services: 0 created, 0 updated, 1519 unchanged" in output
    assert "LGSL 1788" in output  # in the tier file but not in the 2015 service list


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_a_missing_reference_file_is_named_and_nothing_is_loaded(tmp_path):
    data = _copy_data(tmp_path)
    (data / "reference" / "lgsl_tier_mapping.csv").unlink()
    Authority.objects.filter(slug="babergh").update(name="renamed before the load")
    with pytest.raises(CommandError, match=r"lgsl_tier_mapping\.csv: file not found"):
        load(data)
    # The authorities were read and written before the missing file was found: undone.
    assert Authority.objects.get(slug="babergh").name == "renamed before the load"


def test_a_malformed_row_is_named_by_file_row_and_field_and_nothing_is_half_loaded(tmp_path):
    data = _copy_data(tmp_path)
    services = data / "reference" / "lgsl_services.csv"
    text = services.read_text()
    services.write_text(text.replace("\n530,Household garden", "\nfive-thirty,Household garden"))
    Authority.objects.filter(slug="babergh").update(name="renamed before the load")
    with pytest.raises(CommandError) as raised:
        load(data)
    message = str(raised.value)
    assert "lgsl_services.csv" in message
    assert "field 'Identifier'" in message
    assert "'five-thirty' is not a whole number" in message
    assert "row " in message
    # The authorities file was valid and read first, but its changes were rolled back.
    assert Authority.objects.get(slug="babergh").name == "renamed before the load"


def test_an_unknown_tier_in_the_mapping_is_rejected_with_the_allowed_values(tmp_path):
    data = _copy_data(tmp_path)
    mapping = data / "reference" / "lgsl_tier_mapping.csv"
    lines = mapping.read_text().splitlines()
    lgsl, label, _, basis = next(csv.reader([lines[1]]))
    lines[1] = f"{lgsl},{label},parish,{basis}"
    mapping.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match=r"row 1 \(line 2\), field 'providing_tier': 'parish' "
                                           r"is not one of: all, county/unitary, district/unitary"):
        load(data)


def test_a_service_with_no_tier_anywhere_is_reported(tmp_path):
    data = _copy_data(tmp_path)
    mapping = data / "reference" / "lgsl_tier_mapping.csv"
    lines = mapping.read_text().splitlines()
    dropped = next(csv.reader([lines[5]]))[0]
    mapping.write_text("\n".join(lines[:5] + lines[6:]) + "\n")
    with pytest.raises(CommandError, match=rf"LGSL {dropped} .* has no providing tier"):
        load(data)
