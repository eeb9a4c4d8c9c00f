"""Mapping features for tables published at a finer level than they are imported: codes looked
up in key files (DeSO → kommun), numerators and denominators made of several count columns, a
row filter, a scale for shares given as fractions and codes that lost their leading zeros."""

from __future__ import annotations

import pytest

from skillnader.errors import DuplicateKeyError, MappingError
from skillnader.web.data import models as m
from skillnader.web.data.importer import import_file, release_hash

KEY = """\ufeffKommun;DeSO;Namn
0114;0114A0010;a
0114;0114C1010;b
0180;0180C1010;c
0180;0180C1020;d
0999;0999A0010;e
"""

TABLE = """deso,primary,secondary,post_short,post_long,unknown
0114A0010,10,40,20,30,0
0114C1010,5,20,10,15,2
0180C1010,1,9,30,60,0
0180C1020,2,8,..,50,1
0999A0010,1,1,1,1,1
"""

MAPPING = """\
source: {id: test-deso}
area:
  column: deso
  level: kommun
  key: {file: key.csv, from: DeSO, to: Kommun, where: {Kommun: ["0114", "0180"]}}
period: {value: "2022"}
indicator: {value: social_assistance_share}
numerator: [post_short, post_long]
denominator: [primary, secondary, post_short, post_long, unknown]
aggregate: sum
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "key.csv").write_text(KEY, encoding="utf-8")
    (tmp_path / "table.csv").write_text(TABLE, encoding="utf-8")
    (tmp_path / "map.yaml").write_text(MAPPING, encoding="utf-8")
    return tmp_path


def _obs(code):
    return m.Observation.objects.get(
        indicator_id="social_assistance_share", area__code=code, period="2022"
    )


@pytest.mark.django_db
def test_deso_rows_summed_to_kommun_through_a_key_file(vocab, files):
    result = import_file(files / "table.csv", mapping=files / "map.yaml")
    assert result.created == 2  # 0999 is left out by the key's where
    vasby = _obs("0114")
    assert (vasby.numerator, vasby.denominator) == (75, 152)
    assert vasby.value == pytest.approx(100 * 75 / 152)
    assert vasby.lower < vasby.value < vasby.upper
    # a missing part makes the sum missing, never zero
    sthlm = _obs("0180")
    assert sthlm.numerator is None and sthlm.value is None and sthlm.status == ".."
    assert sthlm.denominator is None


@pytest.mark.django_db
def test_a_code_missing_from_the_key_is_named_by_its_line(vocab, files):
    (files / "table.csv").write_text(TABLE + "0180C9999,1,1,1,1,1\n", encoding="utf-8")
    with pytest.raises(MappingError) as err:
        import_file(files / "table.csv", mapping=files / "map.yaml")
    assert "not in the key file" in str(err.value) and "line 7" in str(err.value)
    assert not m.Observation.objects.exists()


@pytest.mark.django_db
def test_a_key_giving_one_code_two_targets_is_refused(vocab, files):
    (files / "key.csv").write_text(KEY + "0114;0180C1010;x\n", encoding="utf-8")
    with pytest.raises(MappingError, match="two codes"):
        import_file(files / "table.csv", mapping=files / "map.yaml")


@pytest.mark.django_db
def test_rows_falling_on_one_code_need_aggregate(vocab, files):
    text = MAPPING.replace("aggregate: sum\n", "")
    (files / "map.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DuplicateKeyError):
        import_file(files / "table.csv", mapping=files / "map.yaml")


@pytest.mark.django_db
def test_a_changed_key_is_a_new_release(vocab, files):
    before = release_hash(files / "table.csv", files / "map.yaml", "csv")
    (files / "key.csv").write_text(KEY.replace("0114;0114C1010", "0180;0114C1010"), "utf-8")
    assert release_hash(files / "table.csv", files / "map.yaml", "csv") != before


@pytest.mark.django_db
def test_numerators_per_indicator_need_a_mapping_without_indicator(vocab, files):
    text = MAPPING.replace(
        "numerator: [post_short, post_long]", "numerator: {social_assistance_share: [post_long]}"
    )
    (files / "map.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match="without 'indicator'"):
        import_file(files / "table.csv", mapping=files / "map.yaml")
    (files / "map.yaml").write_text(
        text.replace("indicator: {value: social_assistance_share}\n", ""), encoding="utf-8"
    )
    import_file(files / "table.csv", mapping=files / "map.yaml")
    assert (_obs("0114").numerator, _obs("0180").numerator) == (45, 110)


PANEL = """municip_code,municip_name,year,share_tertiary_school
114,Upplands Väsby,2002,0.2576
114,Upplands Väsby,2006,0.2724
180,Stockholm,2002,0.4012
180,Stockholm,2006,0.4345
"""


@pytest.mark.django_db
def test_filter_scale_and_padded_codes(vocab, tmp_path):
    (tmp_path / "panel.csv").write_text(PANEL, encoding="utf-8")
    (tmp_path / "panel.yaml").write_text(
        "area: {column: municip_code, label_column: municip_name, level: kommun, pad: 4}\n"
        "period: {column: year, values: {'2006': '2005'}}\n"
        "filter: {year: ['2006']}\n"
        "indicator: {value: social_assistance_share}\n"
        "values: {column: share_tertiary_school, scale: 100}\n",
        encoding="utf-8",
    )
    result = import_file(tmp_path / "panel.csv", mapping=tmp_path / "panel.yaml")
    assert result.created == 2
    got = {
        o.area.code: (o.period, o.value) for o in m.Observation.objects.select_related("area").all()
    }
    assert got == {"0114": ("2005", pytest.approx(27.24)), "0180": ("2005", pytest.approx(43.45))}
