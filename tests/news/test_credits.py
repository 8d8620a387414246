"""Credit lines read and written: names verbatim, roles and places kept."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.news.credits import Credit, format_credit_line, parse_credit_line
from syndicate.news.roles import ROLES

SAMPLE_LINE = (
    "Reporting by Vivyan Fatah in Syria, produced by Ayub Nuri, video editing by Masoud Mustafa"
)


def test_sample_credit_line_gives_three_roles_and_the_reporters_place() -> None:
    assert parse_credit_line(SAMPLE_LINE) == (
        Credit("reporting", "Vivyan Fatah", "Syria"),
        Credit("production", "Ayub Nuri"),
        Credit("video_editing", "Masoud Mustafa"),
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Reporting by Hana Aziz and Rebaz Ali in Syria",
            [("reporting", "Hana Aziz", "Syria"), ("reporting", "Rebaz Ali", "Syria")],
        ),
        (
            "Writing by Sarah Jones; Editing by Ayub Nuri",
            [("writing", "Sarah Jones", None), ("editing", "Ayub Nuri", None)],
        ),
        (
            "Additional reporting by Karwan Salih in Erbil",
            [("additional_reporting", "Karwan Salih", "Erbil")],
        ),
        ("Compiled by Rudaw staff", [("compilation", "Rudaw staff", None)]),
        ("Photos: Safin Hamid", [("photography", "Safin Hamid", None)]),
        ("Photo: REUTERS/Ahmed Jadallah", [("photography", "REUTERS/Ahmed Jadallah", None)]),
        ("Video: Sam Lee", [("camera", "Sam Lee", None)]),
        ("Camera: Ali Hassan", [("camera", "Ali Hassan", None)]),
        ("Edited by Jane Doe", [("editing", "Jane Doe", None)]),
        ("Written by Jane Doe", [("writing", "Jane Doe", None)]),
        ("By Jane Doe", [("reporting", "Jane Doe", None)]),
        ("By Jane Doe.", [("reporting", "Jane Doe", None)]),
        ("Translated by Rawa Mohammed", [("translation", "Rawa Mohammed", None)]),
        ("Graphics by Lana Omar", [("graphics", "Lana Omar", None)]),
        (
            "Reporting by Ann Lee, Bo Kim, and Cy Park",
            [("reporting", n, None) for n in ("Ann Lee", "Bo Kim", "Cy Park")],
        ),
        (
            "Reporting by Ann Lee, Bo Kim and Cy Park",
            [("reporting", n, None) for n in ("Ann Lee", "Bo Kim", "Cy Park")],
        ),
        (
            "REPORTING BY JOHN SMITH | editing BY Mary Jones",
            [("reporting", "JOHN SMITH", None), ("editing", "Mary Jones", None)],
        ),
        (
            "Reporting by A. Rasheed / Producer: Hemin Salih\nVideo editor: Sara Omar",
            [
                ("reporting", "A. Rasheed", None),
                ("production", "Hemin Salih", None),
                ("video_editing", "Sara Omar", None),
            ],
        ),
        (
            "(Reporting by Ahmed Rasheed in Baghdad and Maher Chmaytelli in Erbil; "
            "Editing by Hugh Lawson)",
            [
                ("reporting", "Ahmed Rasheed", "Baghdad"),
                ("reporting", "Maher Chmaytelli", "Erbil"),
                ("editing", "Hugh Lawson", None),
            ],
        ),
        ("Reporting by Lin Wei in Syria and Iraq", [("reporting", "Lin Wei", "Syria and Iraq")]),
        (
            "Text and photos by Hemin Salih",
            [("writing", "Hemin Salih", None), ("photography", "Hemin Salih", None)],
        ),
        (
            "Reporting by Dr. Ahmed Ali, with additional reporting by Sara Omar in Duhok",
            [("reporting", "Dr. Ahmed Ali", None), ("additional_reporting", "Sara Omar", "Duhok")],
        ),
        (
            "Reporting by Jean-Pierre de la Cruz and Mohammed al-Sayed",
            [
                ("reporting", "Jean-Pierre de la Cruz", None),
                ("reporting", "Mohammed al-Sayed", None),
            ],
        ),
        (
            "Reporting by Tom Perry \u2013 Editing by Alex Richardson",
            [("reporting", "Tom Perry", None), ("editing", "Alex Richardson", None)],
        ),
        (
            "Reporting by Jane Doe. Editing by John Roe.",
            [("reporting", "Jane Doe", None), ("editing", "John Roe", None)],
        ),
        ("Translated from Arabic by Rawa Mohammed", [("translation", "Rawa Mohammed", None)]),
        (
            "Reporting: Ali Kurdi; Filming: Dana Taib; Montage: Aso Fatah",
            [
                ("reporting", "Ali Kurdi", None),
                ("camera", "Dana Taib", None),
                ("video_editing", "Aso Fatah", None),
            ],
        ),
        (
            "Reporting by Sara Omar from Duhok and Zakho",
            [("reporting", "Sara Omar", "Duhok and Zakho")],
        ),
        (
            "تقرير: فيفيان فتاح من سوريا؛ إنتاج: أيوب نوري",
            [("reporting", "فيفيان فتاح", "سوريا"), ("production", "أيوب نوري", None)],
        ),
    ],
)
def test_parse_credit_line_reads_common_newsroom_forms(
    line: str, expected: list[tuple[str, str, str | None]]
) -> None:
    assert parse_credit_line(line) == tuple(Credit(*c) for c in expected)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Rudaw",
        "Reporting by",
        "By the time forces arrived, ISIS had fled.",
        "The army said on Tuesday that it had retaken the town.",
        "Civilians were killed by an airstrike, officials said.",
        "Killed by ISIS in Raqqa",
        "U.S. forces said. By then it was late",
    ],
)
def test_text_without_a_credit_gives_no_credit(line: str) -> None:
    assert parse_credit_line(line) == ()


def test_names_keep_their_exact_spelling() -> None:
    line = "Reporting by  Şêrko Bêkes  and Ṣāliḥ ʿAbd al-Raḥmān"
    names = [c.name for c in parse_credit_line(line)]
    assert names == ["Şêrko Bêkes", "Ṣāliḥ ʿAbd al-Raḥmān"]


def test_format_groups_consecutive_credits_with_one_role_and_place() -> None:
    credits = [
        Credit("reporting", "Hana Aziz", "Syria"),
        Credit("reporting", "Rebaz Ali", "Syria"),
        Credit("production", "Ayub Nuri"),
    ]
    assert format_credit_line(credits, "en") == (
        "Reporting by Hana Aziz and Rebaz Ali in Syria; Produced by Ayub Nuri"
    )


def test_format_lists_three_names_with_commas_and_the_conjunction() -> None:
    credits = [Credit("editing", n) for n in ("A One", "B Two", "C Three")]
    assert format_credit_line(credits, "en") == "Editing by A One, B Two and C Three"
    assert format_credit_line(credits, "tr") == "Editör: A One, B Two ve C Three"
    assert format_credit_line(credits, "kmr") == "Edîtor: A One, B Two û C Three"


def test_arabic_joins_wa_to_an_arabic_name_but_not_to_a_latin_one() -> None:
    arabic = [Credit("reporting", "أحمد علي"), Credit("reporting", "سارة عمر")]
    latin = [Credit("reporting", "Hana Aziz"), Credit("reporting", "Rebaz Ali")]
    assert format_credit_line(arabic, "ar") == "تقرير: أحمد علي وسارة عمر"
    assert format_credit_line(latin, "ar") == "تقرير: Hana Aziz و Rebaz Ali"


def test_format_translates_places_through_the_mapping_and_keeps_names() -> None:
    credits = parse_credit_line(SAMPLE_LINE)
    line = format_credit_line(credits, "ckb", {"Syria": "سووریا"})
    assert (
        line == "ڕاپۆرتی: Vivyan Fatah لە سووریا؛ بەرهەمهێنانی: Ayub Nuri؛ مۆنتاژی: Masoud Mustafa"
    )


def test_format_keeps_a_place_it_has_no_translation_for() -> None:
    line = format_credit_line([Credit("reporting", "Hana Aziz", "Erbil")], "tr", {})
    assert line == "Haber: Hana Aziz (Erbil)"


def test_format_writes_a_free_text_role_as_its_own_label() -> None:
    assert format_credit_line([Credit("Fixer", "Ali Hassan")], "ar") == "Fixer: Ali Hassan"


def test_format_of_no_credits_is_empty() -> None:
    assert format_credit_line([], "en") == ""


# A name word that is a list separator of some language ("And", "Ve") makes a line name two
# people: the reading test_a_name_holding_a_separator_is_two_names pins, so names avoid them.
_SEPARATOR_WORDS = frozenset({"and", "ve", "û"})
_NAME_WORD = st.from_regex(r"[A-Z][a-z]{1,9}", fullmatch=True).filter(
    lambda w: w.casefold() not in _SEPARATOR_WORDS
)
_NAMES = st.lists(_NAME_WORD, min_size=1, max_size=3).map(" ".join)
_PLACES = st.sampled_from(["Syria", "Erbil", "Kurdistan Region", "Deir ez-Zor"])


@settings(max_examples=150, deadline=None)
@given(
    credits=st.lists(
        st.builds(Credit, st.sampled_from(sorted(ROLES)), _NAMES, st.none() | _PLACES),
        min_size=1,
        max_size=6,
        unique_by=lambda c: (c.role, c.name),
    ),
    lang=st.sampled_from(["en", "ar", "ckb"]),
)
def test_a_line_we_format_reads_back_to_the_same_credits(credits: list[Credit], lang: str) -> None:
    assert parse_credit_line(format_credit_line(credits, lang)) == tuple(credits)


@settings(max_examples=100, deadline=None)
@given(
    credits=st.lists(
        st.builds(Credit, st.sampled_from(sorted(ROLES)), _NAMES),
        min_size=1,
        max_size=6,
        unique_by=lambda c: (c.role, c.name),
    ),
    lang=st.sampled_from(["tr", "kmr"]),
)
def test_turkish_and_kurmanji_lines_read_back_without_places(
    credits: list[Credit], lang: str
) -> None:
    assert parse_credit_line(format_credit_line(credits, lang)) == tuple(credits)


@pytest.mark.parametrize("lang", ["en", "tr", "kmr"])
def test_a_name_holding_a_separator_is_two_names(lang: str) -> None:
    line = format_credit_line([Credit("additional_reporting", "Aa And Bb")], lang)
    names = [c.name for c in parse_credit_line(line)]
    assert names == ["Aa", "Bb"]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_parses_to_credits_whose_names_it_contains(text: str) -> None:
    for credit in parse_credit_line(text):
        assert credit.name and credit.name == credit.name.strip()
        assert credit.name in text


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Reporting by", "produced by", "Photos:", "and", ",", ";", " in ", "|", "By"]
        )
        | _NAMES,
        max_size=12,
    ).map(" ".join)
)
def test_credit_line_soup_never_raises_and_never_invents_names(text: str) -> None:
    for credit in parse_credit_line(text):
        assert credit.role in ROLES
        assert credit.name in text


@pytest.mark.parametrize(
    "line",
    [
        "Reporting and " * 20_000 + "X",
        "By A" + " " * 200_000 + "B",
        "Reporting by " + ". " * 50_000,
    ],
)
def test_pathological_lines_are_read_in_linear_time(line: str) -> None:
    started = time.perf_counter()
    parse_credit_line(line)
    assert time.perf_counter() - started < 5  # quadratic backtracking took minutes
