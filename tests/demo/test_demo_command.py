"""`onestop demo`: checks its arguments, builds, and ends with the sample properties."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from onestop.people.models import Property

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> list[str]:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_build_output_ends_with_one_sample_house_per_district(tmp_path):
    lines = run_demo("--people", "120", "--seed", "3", "--no-serve",
                     "--extracts-dir", str(tmp_path))
    last = lines[-2:]
    assert [line.split()[2] for line in last] == ["mid-suffolk", "babergh"]
    for line in last:
        prefix, district, uprn = line.rsplit(" ", 2)
        assert prefix == "sample property:"
        prop = Property.objects.get(uprn=int(uprn))
        assert prop.property_type == "house"
        assert {a.slug for a in prop.authorities.all()} == {district, "suffolk"}
    assert any("120 residents generated" in line for line in lines)
    assert (tmp_path / "ground_truth.csv").exists()


def test_a_single_person_still_gets_a_sample_property_in_each_district(tmp_path):
    lines = run_demo("--people", "1", "--no-serve", "--extracts-dir", str(tmp_path))
    uprns = [int(line.rsplit(" ", 1)[1]) for line in lines[-2:]]
    assert Property.objects.filter(uprn__in=uprns).count() == 2


@pytest.mark.parametrize(("args", "message"), [
    (["--people", "0"], "--people must be at least 1"),
    (["--people", "-5"], "--people must be at least 1"),
    (["--people", "2000000"], "--people must be at most"),
    (["--seed", "-1"], "--seed must be 0 or more"),
    (["--port", "70000"], "--port must be between 1 and 65535"),
])
def test_bad_arguments_stop_the_command_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("demo", *args, "--no-serve", stdout=StringIO())


def test_an_extracts_dir_that_is_a_file_is_refused(tmp_path):
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("demo", "--people", "5", "--no-serve", "--extracts-dir",
                     str(not_a_folder), stdout=StringIO())


def test_serving_prints_the_url_and_the_demo_sign_ins_then_runs_the_server(tmp_path,
                                                                          monkeypatch):
    served = []
    import onestop.demo.management.commands.demo as demo_command

    real_call_command = demo_command.call_command

    def fake_call_command(name, *args, **kwargs):
        if name == "runserver":
            served.append((args, kwargs))
            return None
        return real_call_command(name, *args, **kwargs)

    monkeypatch.setattr(demo_command, "call_command", fake_call_command)
    lines = run_demo("--people", "20", "--port", "8123", "--extracts-dir", str(tmp_path))
    text = "\n".join(lines)
    assert "http://127.0.0.1:8123/" in text
    for expected in ("ID card 100001, PIN 1234", "ID card 100002, PIN 2345",
                     "username team-leader, password onestop-demo",
                     "demo-partner-token-000000000000000000000"):
        assert expected in text
    assert served == [(("127.0.0.1:8123",), {"use_reloader": False})]


@pytest.mark.django_db
def test_the_demo_refuses_to_build_on_a_production_database(settings, tmp_path):
    from onestop.demo.actions import DemoError, do_build_demo_area
    from onestop.people.models import Person

    settings.ONESTOP_ENV = "production"
    with pytest.raises(DemoError, match="cannot be built when ONESTOP_ENV=production"):
        do_build_demo_area(people=5, seed=1, extracts_dir=tmp_path)
    assert not Person.objects.exists()
