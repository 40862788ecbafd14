"""The linkage model: what is compared, how pairs are found, how it learns without labels.

Each comparison has levels from strongest agreement to none; Splink learns for every level
how much more often it occurs between records of one person (m) than between records of
different people (u), and each pair's match weight is the sum of log2(m/u) over the
comparisons, adjusted for how common a name or postcode is (term frequencies: two "Smith"s
agree less meaningfully than two "Przybylski"s).

Address and postcode are one comparison ("home"), not two: they are not independent
evidence, and counting them twice would make neighbours look like one person.
"""

from __future__ import annotations

import copy
import json
import logging
from importlib import resources
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker

# Pairs are only ever scored within these blocks; together they catch typos in one field,
# nicknames, maiden names, missing dates of birth and moves, each by another route.
BLOCKING_RULES = (
    "l.family_name = r.family_name AND l.postcode = r.postcode",
    "l.name_group = r.name_group AND l.date_of_birth = r.date_of_birth",
    "l.family_name = r.family_name AND l.date_of_birth = r.date_of_birth",
    "l.postcode = r.postcode AND l.given_initial = r.given_initial",
    "l.national_insurance_number = r.national_insurance_number",
    "l.name_group = r.name_group AND l.family_name = r.family_name "
    "AND l.postcode_district = r.postcode_district",
    # A mover: one record at the home the other's household says it came from. Two rules,
    # one for each side, because a join on OR would compare every pair.
    "l.family_name = r.family_name AND l.previous_postcode = r.postcode",
    "l.family_name = r.family_name AND l.postcode = r.previous_postcode",
)
# Rules that are nearly certain matches, for Splink's estimate of how many pairs match.
DETERMINISTIC_RULES = (
    "l.given_name = r.given_name AND l.family_name = r.family_name "
    "AND l.date_of_birth = r.date_of_birth",
    "l.national_insurance_number = r.national_insurance_number",
    "l.given_name = r.given_name AND l.family_name = r.family_name AND l.address = r.address "
    "AND l.postcode = r.postcode",
)
DETERMINISTIC_RECALL = 0.6
# Expectation maximisation sessions: each blocks on some fields and learns the others.
TRAINING_BLOCKS = (
    "l.date_of_birth = r.date_of_birth",
    "l.name_group = r.name_group AND l.family_name = r.family_name",
)
# Splink logs its training chatter and "untrained parameter" notes as warnings; a run's
# outcome is reported by `onestop link` itself.
logging.getLogger("splink").setLevel(logging.ERROR)
U_SAMPLE_PAIRS = 2_000_000
U_UNSEEN = 3 / U_SAMPLE_PAIRS
MIN_RECORDS_TO_TRAIN = 2_000
STARTING_MODEL_RECORDS = 37_176  # source records of the 20,000-resident demo it came from
SEED = 2026
# Priors applied after training (see `regularise`).
M_FLOOR = 0.005
GIVEN_NAME_DIFFERENT_M = 0.0002


def _level(condition: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": condition, "label_for_charts": label, **extra}


def _null(column: str) -> dict[str, Any]:
    return _level(f'"{column}_l" IS NULL OR "{column}_r" IS NULL', "Not known on both",
                  is_null_level=True)


def _else() -> dict[str, Any]:
    return _level("ELSE", "Different")


COMPARISONS: list[dict[str, Any]] = [
    {"output_column_name": "given_name", "comparison_description": "Given name",
     "comparison_levels": [
         _null("given_name"),
         # Before "Same", so that "J" and "J" count as initials, not as one name.
         _level('(length("given_name_l") = 1 OR length("given_name_r") = 1) '
                'AND "given_initial_l" = "given_initial_r"', "Initial agrees"),
         _level('"given_name_l" = "given_name_r"', "Same",
                tf_adjustment_column="given_name", tf_adjustment_weight=1.0),
         _level('"name_group_l" = "name_group_r"', "Nicknames of one name"),
         _level('jaro_winkler_similarity("given_name_l", "given_name_r") >= 0.9',
                "Nearly the same (a typo)"),
         # A slip in a short name ("Rutj" for "Ruth") that Jaro-Winkler scores low.
         _level('length("given_name_l") >= 4 AND length("given_name_r") >= 4 AND '
                'damerau_levenshtein("given_name_l", "given_name_r") <= 1',
                "One letter different"),
         _else()]},
    {"output_column_name": "family_name", "comparison_description": "Family name",
     "comparison_levels": [
         _null("family_name"),
         _level('"family_name_l" = "family_name_r"', "Same",
                tf_adjustment_column="family_name", tf_adjustment_weight=1.0),
         _level('jaro_winkler_similarity("family_name_l", "family_name_r") >= 0.92',
                "Nearly the same (a typo)"),
         _level('jaro_winkler_similarity("family_name_l", "family_name_r") >= 0.8',
                "Similar"),
         _else()]},
    {"output_column_name": "date_of_birth", "comparison_description": "Date of birth",
     "comparison_levels": [
         _null("date_of_birth"),
         _level('"date_of_birth_l" = "date_of_birth_r"', "Same"),
         _level('substr("date_of_birth_l", 1, 4) = substr("date_of_birth_r", 1, 4) AND '
                'substr("date_of_birth_l", 6, 2) = substr("date_of_birth_r", 9, 2) AND '
                'substr("date_of_birth_l", 9, 2) = substr("date_of_birth_r", 6, 2)',
                "Day and month swapped"),
         _level('damerau_levenshtein("date_of_birth_l", "date_of_birth_r") <= 1',
                "One digit different"),
         _level('substr("date_of_birth_l", 1, 4) = substr("date_of_birth_r", 1, 4)',
                "Same year"),
         _else()]},
    {"output_column_name": "home", "comparison_description": "Home",
     "comparison_levels": [
         _level('("uprn_l" IS NULL OR "uprn_r" IS NULL) AND '
                '("postcode_l" IS NULL OR "postcode_r" IS NULL)', "Not known on both",
                is_null_level=True),
         _level('"uprn_l" = "uprn_r"', "Same property (UPRN)"),
         _level('"postcode_l" = "postcode_r" AND "address_l" = "address_r"',
                "Same address"),
         _level('"postcode_l" = "postcode_r" AND "house_number_l" = "house_number_r"',
                "Same postcode and house number"),
         _level('("previous_postcode_l" = "postcode_r" AND '
                '"previous_house_number_l" = "house_number_r") OR '
                '("previous_postcode_r" = "postcode_l" AND '
                '"previous_house_number_r" = "house_number_l")',
                "One lives where the other's household lived before"),
         _level('"postcode_l" = "postcode_r"', "Same postcode",
                tf_adjustment_column="postcode", tf_adjustment_weight=0.5),
         _level('"postcode_sector_l" = "postcode_sector_r"', "Same postcode sector"),
         _level('"postcode_district_l" = "postcode_district_r"', "Same postcode district"),
         _else()]},
    {"output_column_name": "national_insurance_number",
     "comparison_description": "National Insurance number",
     "comparison_levels": [
         _null("national_insurance_number"),
         _level('"national_insurance_number_l" = "national_insurance_number_r"', "Same"),
         _else()]},
    {"output_column_name": "contact", "comparison_description": "Phone or email",
     "comparison_levels": [
         _level('("phone_l" IS NULL OR "phone_r" IS NULL) AND '
                '("email_l" IS NULL OR "email_r" IS NULL)', "Not known on both",
                is_null_level=True),
         _level('"phone_l" = "phone_r" OR "email_l" = "email_r"', "Same phone or email"),
         _else()]},
]


def settings(probability_two_random_records_match: float = 1e-4) -> dict[str, Any]:
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": probability_two_random_records_match,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule} for rule in BLOCKING_RULES],
        "comparisons": COMPARISONS,
        "retain_matching_columns": True,  # Splink keeps the gamma (level) columns only then
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
        "max_iterations": 25,
        "em_convergence": 0.001,
    }


def new_database() -> DuckDBAPI:
    connection = duckdb.connect(":memory:")
    # Two cores here; DuckDB would otherwise size its pool from the host it sees.
    connection.execute("SET preserve_insertion_order = false")
    return DuckDBAPI(connection)


def trained_linker(records: pa.Table) -> tuple[Linker, DuckDBAPI]:
    """A linker over `records` whose parameters are estimated from them, without labels.

    Too few records to learn from (a first small extract, a test) and the shipped
    starting model is used instead: `starting_model.json`, estimated the same way on the
    demo's 20,000 residents.
    """
    if records.num_rows < MIN_RECORDS_TO_TRAIN:
        model = starting_model()
        # Each resident has a few records, so the chance that two records are one person
        # falls as 1/N: rescale it from the population the model was estimated on.
        model["probability_two_random_records_match"] = min(
            0.5, model["probability_two_random_records_match"] * STARTING_MODEL_RECORDS
            / max(records.num_rows, 1))
        return saved_linker(records, model)
    database = new_database()
    frame = database.register(records, table_name="source_records")
    linker = Linker(frame, settings(), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [{"blocking_rule": rule} for rule in DETERMINISTIC_RULES], recall=DETERMINISTIC_RECALL)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
    for rule in TRAINING_BLOCKS:
        linker.training.estimate_parameters_using_expectation_maximisation(
            {"blocking_rule": rule}, estimate_without_term_frequencies=True)
    return Linker(frame, regularise(model_json(linker)), log_level=None), database


def regularise(model: dict[str, Any]) -> dict[str, Any]:
    """Priors on the trained m and u values, because training cannot learn what it rarely
    sees.

    - Every agreeing level gets at least M_FLOOR: a level EM never observed among matches
      (an initial, a one-digit slip in a date) would otherwise get m = 0 and a weight of
      -40, vetoing true matches over one typo.
    - A wholly different given name (not a nickname, typo or initial, which have levels of
      their own) is made rare among matches. Without this, EM learns it from household
      members — same surname, same home — and a wife and husband on the electoral register,
      which has no dates of birth, would score as one person.
    - A level never seen among the randomly sampled pairs (the same address without a
      UPRN, a household's previous home) gets u = U_UNSEEN, the "rule of three" upper
      bound for an event not seen in U_SAMPLE_PAIRS tries. Left unset, Splink would give
      it a default that makes the same address count for less than the same postcode.
    """
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            is_else = level["sql_condition"].strip().upper() == "ELSE"
            if not isinstance(level.get("u_probability"), float | int):
                level["u_probability"] = U_UNSEEN
            if not is_else and (level.get("m_probability") or 0.0) < M_FLOOR:
                level["m_probability"] = M_FLOOR
            if is_else and comparison["output_column_name"] == "given_name":
                level["m_probability"] = min(level.get("m_probability") or 1.0,
                                             GIVEN_NAME_DIFFERENT_M)
    return model


def saved_linker(records: pa.Table, model: dict[str, Any]) -> tuple[Linker, DuckDBAPI]:
    """A linker over `records` with a previous run's trained parameters."""
    database = new_database()
    frame = database.register(records, table_name="source_records")
    return Linker(frame, copy.deepcopy(model), log_level=None), database


def starting_model() -> dict[str, Any]:
    path = resources.files("onestop.matching.linkage") / "starting_model.json"
    return json.loads(path.read_text(encoding="utf-8"))


def is_current(model: dict[str, Any]) -> bool:
    """Whether a saved model compares and blocks as this code does.

    A model trained before a comparison level or blocking rule changed would score with
    the old levels and be explained with the new ones, so it must not be reused.
    """
    def shape(comparisons: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
        return [(c["output_column_name"], [level["sql_condition"].strip()
                                           for level in c["comparison_levels"]])
                for c in comparisons]
    rules = [rule["blocking_rule"] for rule in
             model.get("blocking_rules_to_generate_predictions", [])]
    return (shape(model.get("comparisons", [])) == shape(COMPARISONS)
            and rules == list(BLOCKING_RULES))


def model_json(linker: Linker) -> dict[str, Any]:
    return linker.misc.save_model_to_json(out_path=None)


def explain(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Each comparison's level and the match weight it added, for one scored pair."""
    explanation = []
    for comparison in COMPARISONS:
        name = comparison["output_column_name"]
        levels = comparison["comparison_levels"]
        gamma = row[f"gamma_{name}"]
        # Splink numbers the non-null levels from the bottom ("Different" is 0).
        if gamma == -1:
            label = levels[0]["label_for_charts"]
        else:
            label = levels[len(levels) - 1 - gamma]["label_for_charts"]
        weight = (row[f"mw_{name}"] or 0.0) + (row.get(f"mw_tf_adj_{name}") or 0.0)
        explanation.append({"comparison": comparison["comparison_description"],
                            "level": label, "weight": round(float(weight), 2)})
    return explanation
