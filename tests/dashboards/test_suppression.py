"""Small groups: never shown, never derivable from totals (page and CSV)."""

import csv
import io
import itertools
import random

from django.urls import reverse

from dashboards.suppression import Cell, Line, protect, rest_of


def check_lines(lines: list[Line], k: int) -> None:
    for line in lines:
        for cell in line.cells:
            assert not (cell.shown and 0 < cell.value < k)
        if not line.total.shown:
            continue
        remainder = line.hidden_remainder()
        hides = any(cell.hidden and not cell.virtual for cell in line.cells)
        assert remainder >= k or (remainder == 0 and not hides), (remainder, line)


def test_random_tables_leave_no_small_remainder():
    generator = random.Random(7)
    for _round in range(300):
        k = generator.randint(2, 6)
        rows, columns = generator.randint(1, 5), generator.randint(1, 5)
        grid = [
            [Cell(generator.choice([0, 1, 2, 3, 5, 8, 20])) for _c in range(columns)]
            for _r in range(rows)
        ]
        row_totals = [Cell(sum(c.value for c in row)) for row in grid]
        column_totals = [Cell(sum(grid[r][c].value for r in range(rows))) for c in range(columns)]
        grand = Cell(sum(t.value for t in row_totals))
        headcount = [Cell(total.value + generator.randint(0, 3)) for total in row_totals]
        lines = [Line(cells=row, total=total) for row, total in zip(grid, row_totals, strict=True)]
        lines += [
            Line(cells=[grid[r][c] for r in range(rows)], total=column_totals[c])
            for c in range(columns)
        ]
        lines += [Line(cells=row_totals, total=grand), Line(cells=column_totals, total=grand)]
        lines += [rest_of(whole, part) for whole, part in zip(headcount, row_totals, strict=True)]
        cells = [*itertools.chain(*grid), *row_totals, *column_totals, grand, *headcount]
        protect(cells=cells, lines=lines, k=k)
        check_lines(lines, k)


def test_a_single_small_cell_takes_a_second_one_with_it():
    small, big, other = Cell(2), Cell(40), Cell(30)
    total = Cell(72)
    protect(
        cells=[small, big, other, total], lines=[Line(cells=[small, big, other], total=total)], k=5
    )
    assert small.small and not small.shown
    assert not other.shown and big.shown  # the smallest other cell is hidden too
    assert total.shown


def test_a_large_count_with_a_small_remainder_is_hidden():
    people, with_plan = Cell(20), Cell(18)  # two people without a plan
    protect(cells=[people, with_plan], lines=[rest_of(people, with_plan)], k=5)
    assert people.shown and not with_plan.shown and not with_plan.small


def read_csv(response) -> list[list[str]]:
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def section(rows: list[list[str]], title: str) -> list[list[str]]:
    start = next(i for i, row in enumerate(rows) if row == [title])
    end = next((i for i in range(start + 1, len(rows)) if rows[i] == []), len(rows))
    return rows[start + 1 : end]


def number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def test_small_unit_is_not_shown_or_derivable_in_the_csv(world, strategy, as_user):
    response = as_user(world.hr).get(reverse("dashboards:alignment-csv"), {"period": "all"})
    rows = read_csv(response)
    coverage = section(rows, "Plandekking")
    header, body = coverage[0], coverage[1:]
    by_unit = {row[0]: row for row in body}
    assert by_unit["Bedrijfsvoering"][1] == "< 3"  # 2 people
    assert all(cell in {"< 3", "*", ""} for cell in by_unit["Bedrijfsvoering"][2:])
    total = by_unit["Totaal"]
    for column in range(1, len(header)):
        if "%" in header[column]:
            continue
        shown_total = number(total[column])
        if shown_total is None:
            continue
        shown = [number(row[column]) for row in body if row[0] != "Totaal"]
        hidden_sum = shown_total - sum(value for value in shown if value is not None)
        if any(value is None for value in shown):
            assert hidden_sum >= 3, (header[column], hidden_sum)
        for value in shown:
            assert value is None or value == 0 or value >= 3
    heatmap = section(rows, "Medewerkers die bijdragen per afdeling of team en strategisch doel")
    bv = next(row for row in heatmap if row[0] == "Bedrijfsvoering")
    assert all(cell in {"< 3", "*"} for cell in bv[1:])


def test_small_unit_on_the_page_shows_less_than_k(world, strategy, as_user):
    html = as_user(world.hr).get(reverse("dashboards:alignment")).content.decode()
    assert "&lt; 3" in html
    assert "Bas Kok" not in html and "Eva Dijkstra" not in html
