import datetime as dt

import openpyxl
import pytest

from skillnader.allocation import inputs, synthetic
from skillnader.allocation.inputs import AllocationInputError

HEADER_A = "id;birth_date;sex;born_in_sweden;home_area;school;social_assistance;newly_arrived;support_needs;earlier_summer_job;choices;languages\n"


def test_csv_semicolons_swedish_values_and_areas(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(
        "\ufeff" + HEADER_A
        + "x1;2010-03-04;K;ja;0180R002;Skola;Ja;nej;;NEJ;park/juni/*;sv|AR\n"
        + "x2;2009-12-31;pojke;;Södermalm;;0;1;0;1;P1|P2;\n",
        encoding="utf-8",
    )  # fmt: skip
    a = inputs.read_applicants(f)
    assert a[0].sex == "female" and a[0].born_in_sweden is True and a[0].social_assistance
    assert a[0].home_area == "0180R002" and a[0].home_district == "Järva"
    assert a[0].languages == ("sv", "ar")
    assert a[1].born_in_sweden is None and a[1].newly_arrived and a[1].earlier_summer_job
    assert a[1].home_district == "Södermalm" and a[1].choices == ("P1", "P2")
    assert a[1].birth_date == dt.date(2009, 12, 31)


def test_errors_name_file_row_column_and_nothing_is_read(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(
        HEADER_A
        + "x1;2010-03-04;K;ja;0180R002;;ja;nej;nej;nej;park;\n"
        + "x2;2010-02-30;M;ja;0180R002;;ja;nej;nej;nej;park;\n"
        + "x1;2010-03-04;K;kanske;Atlantis;;ja;nej;nej;nej;;\n",
        encoding="utf-8",
    )
    with pytest.raises(AllocationInputError) as exc:
        inputs.read_applicants(f)
    e = exc.value
    assert e.exit_code == 2
    assert str(f) in str(e) and e.location == "row 3, column birth_date"
    where = [p.location for p in e.problems]
    assert where == [
        "row 3, column birth_date",
        "row 4, column id",
        "row 4, column born_in_sweden",
        "row 4, column home_area",
        "row 4, column choices",
    ]
    assert "repeats the id of row 2" in e.problems[1].message


def test_missing_column(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text(
        "id,employer,district,category,period,capacity\nP1,A,Järva,park,juni,2\n", encoding="utf-8"
    )
    with pytest.raises(AllocationInputError) as exc:
        inputs.read_positions(f)
    assert "employer_type" in str(exc.value) and exc.value.location == "row 1 (header)"


def test_positions_xlsx_with_typed_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "ID",
            "Employer",
            "employer_type",
            "district",
            "inner_city",
            "category",
            "period",
            "capacity",
            "min_age",
            "max_age",
            "requirements",
        ]
    )
    ws.append(
        [
            "P1",
            "Parkförvaltning",
            "Board",
            "Järva",
            None,
            "Park",
            "Juni",
            3.0,
            16,
            None,
            "language:ar",
        ]
    )
    ws.append(
        ["P2", "Bolag", "city_company", "0180R050", "ja", "kontor", "juli", 2, None, None, None]
    )
    ws.append(["P3", "Förening", "club", "Järva", None, "park", "juni", 0, None, None, None])
    f = tmp_path / "p.xlsx"
    wb.save(f)
    with pytest.raises(AllocationInputError) as exc:
        inputs.read_positions(f)
    assert [p.location for p in exc.value.problems] == [
        "row 4, column employer_type",
        "row 4, column capacity",
    ]
    ws.delete_rows(4)
    wb.save(f)
    p = inputs.read_positions(f)
    assert p[0].capacity == 3 and p[0].inner_city is False and p[0].category == "park"
    assert p[0].requirements == ("language:ar",) and p[0].min_age == 16
    assert p[1].inner_city is True


def test_synthetic_round_trip(tmp_path):
    a = synthetic.applicants(50, seed=3)
    p = synthetic.positions(40, 10, seed=3)
    inputs.write_applicants(a, tmp_path / "a.csv")
    inputs.write_positions(p, tmp_path / "p.csv")
    assert inputs.read_applicants(tmp_path / "a.csv") == a
    assert inputs.read_positions(tmp_path / "p.csv") == p
