"""Charts: theme bars and the co-occurrence heatmap, drawn without a display, saved as PNG at
300 dpi and SVG with text, opened back and checked; the ``chart`` command end to end."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from qualbench.cli import main
from qualbench.exports import ExportError
from qualbench.reports import Filters, theme_table
from qualbench.reports.charts import (
    DPI,
    PALETTE,
    ChartError,
    by_label,
    cooccurrence_heatmap,
    save_chart,
    theme_chart,
)
from qualbench.reports.themes import Cell, ThemeRow, ThemeTable

SVG = "{http://www.w3.org/2000/svg}"
LONG = "Experiences of discrimination by health workers in emergency departments after release"


def _table(*, rollup: bool = False) -> ThemeTable:
    """A hand-made table: two themes, one with a sub-code with a very long name."""

    def row(cid: int, path: str, depth: int, a: int, b: int) -> ThemeRow:
        cells = {"Kazakhstan": Cell(a, 1, a), "Ukraine": Cell(b, 1, b)}
        return ThemeRow(cid, path, path.rpartition(" > ")[2], depth, cells, Cell(a + b, 2, a + b))

    rows = [
        row(1, "Police fear", 0, 3, 1),
        row(2, "Stigma", 0, 0, 0),
        row(3, f"Stigma > {LONG}", 1, 2, 2),
        row(4, "Gratitude", 0, 0, 0),
    ]
    return ThemeTable(
        by="document:country",
        columns=["Kazakhstan", "Ukraine"],
        rows=rows,
        column_documents={"Kazakhstan": 1, "Ukraine": 1},
        column_participants={"Kazakhstan": 7, "Ukraine": 6},
        coders=["ana", "ben"],
        rollup=rollup,
        column_codings={"Kazakhstan": 5, "Ukraine": 3},
        all_documents=2,
        all_participants=13,
        all_codings=8,
    )


def _texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def _all_text(fig) -> str:
    """Every string drawn on a figure (titles, ticks, legend, caption, annotations)."""
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in fig.findobj(Text))


# --- theme bars --------------------------------------------------------------------------------


def test_grouped_bars_of_the_sample_by_country(sample) -> None:
    with sample.read() as s:
        table = theme_table(s, by="document:country", rollup=True)
    fig = theme_chart(table, "participants", max_depth=0)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    top = [r for r in table.rows if r.depth == 0 and r.total.participants]
    assert labels == [
        r.name.replace(
            "Destigmatisation and feeling valued", "Destigmatisation and feeling\nvalued"
        )
        for r in top
    ]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert table.columns == sorted(table.columns)
    assert legend == [f"{c} (n = {table.column_participants[c]})" for c in table.columns]
    assert "Kazakhstan (n = 7)" in legend  # a focus group of seven
    assert fig.get_suptitle() == "Participants with the code, by country"
    assert ax.get_xlabel() == "Participants with the code"
    caption = fig._supxlabel.get_text().replace("\n", " ")
    assert "distinct participants speaking in a coded segment" in caption
    assert "sub-codes" in caption and "ana, ben" in caption
    # one bar per code and country, as long as the table's cell
    police = next(r for r in table.rows if r.name == "Police fear")
    # one BarContainer per country, in the legend's order
    for country, container in zip(table.columns, ax.containers, strict=True):
        assert container.get_label().startswith(country)
        i = top.index(police)
        assert container.patches[i].get_width() == police.cells[country].participants
    assert "n: participants in the column." in caption


def test_stacked_bars_add_up_to_the_row_total(sample) -> None:
    with sample.read() as s:
        table = theme_table(s, by="document:country")
    fig = theme_chart(table, "codings", stacked=True)
    ax = fig.axes[0]
    police = next(r for r in table.rows if r.name == "Police fear")
    i = [t.get_text() for t in ax.get_yticklabels()].index("Police fear")
    ends = [c.patches[i].get_x() + c.patches[i].get_width() for c in ax.containers]
    assert max(ends) == police.total.codings
    assert str(police.total.codings) in [t.get_text() for t in ax.texts]  # the total is written
    assert "(stacked by country)" in ax.get_xlabel()
    # an empty parent keeps its place above its sub-codes; an empty leaf is left out
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert "Naloxone carrying and use" in names and "– Carrying naloxone" in names
    assert "– Witnessed overdose" not in names
    assert "Not shown: 1 code without codings" in fig._supxlabel.get_text().replace("\n", " ")


def test_row_percentages_stack_to_100(sample) -> None:
    with sample.read() as s:
        table = theme_table(s, by="document:country", rollup=True)
    fig = theme_chart(table, "codings", percent="row", stacked=True, max_depth=0)
    ax = fig.axes[0]
    for i in range(len(ax.get_yticklabels())):
        end = max(c.patches[i].get_x() + c.patches[i].get_width() for c in ax.containers)
        assert end == pytest.approx(100)
    assert "100%" in [t.get_text() for t in ax.texts]
    assert ax.get_xlabel().startswith("% of the code's total")


def test_long_labels_wrap_and_the_caption_keeps_the_full_name() -> None:
    fig = theme_chart(_table(), "codings")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == "Police fear"
    assert labels[1] == "Stigma"  # empty, kept: its sub-code has codings
    long_label = labels[2]
    assert long_label.startswith("– Experiences of discrimination")
    assert all(len(line) <= 34 for line in long_label.split("\n"))
    assert long_label.count("\n") == 1 and long_label.endswith("…")
    caption = fig._supxlabel.get_text().replace("\n", " ")
    assert f"Stigma > {LONG}" in caption
    assert "Gratitude" not in labels and "1 code without codings" in caption
    bold = [t.get_fontweight() for t in fig.axes[0].get_yticklabels()]
    assert bold == ["normal", "bold", "normal"]


def test_a_sub_code_without_its_parent_is_named_with_its_path() -> None:
    table = _table()
    table.rows = [r for r in table.rows if r.code_id != 2]
    fig = theme_chart(table, "codings")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[1].startswith("Stigma › Experiences")


def test_colours_are_the_colour_blind_safe_palette() -> None:
    fig = theme_chart(_table(), "codings")
    from matplotlib.colors import to_hex

    colours = [to_hex(c.patches[0].get_facecolor()) for c in fig.axes[0].containers]
    assert colours == [PALETTE[0].lower(), PALETTE[1].lower()]


def test_nothing_to_chart_and_bad_measures_are_clear_errors() -> None:
    table = _table()
    with pytest.raises(ChartError, match="unknown measure 'words'"):
        theme_chart(table, "words")  # words were not computed for this table
    with pytest.raises(ChartError, match="percent must be one of row, column"):
        theme_chart(table, "codings", percent="cell")
    with pytest.raises(ChartError, match="pct_participants is a percentage already"):
        theme_chart(table, "pct_participants", percent="row")
    table.rows = [r for r in table.rows if r.total.codings == 0]
    with pytest.raises(ChartError, match="nothing to chart"):
        theme_chart(table, "codings")


def test_filters_and_coders_are_in_the_caption(sample) -> None:
    with sample.read() as s:
        table = theme_table(s, by="case:gender", filters=Filters(coders=("ana",)))
    fig = theme_chart(table, "codings", max_depth=0, caption="Source: sample study.")
    caption = fig._supxlabel.get_text().replace("\n", " ")
    assert "Codings of ana." in caption and caption.endswith("Source: sample study.")
    assert fig.get_suptitle() == "Coded segments, by participant gender"


def test_by_label() -> None:
    assert by_label("document:country") == "country"
    assert by_label("case:gender") == "participant gender"
    assert by_label("case") == "participant"
    assert by_label("kind") == "document kind"
    assert by_label("document") == "document"


# --- files ---------------------------------------------------------------------------------------


def test_png_is_300_dpi_and_not_blank(tmp_path: Path) -> None:
    fig = theme_chart(_table(), "codings")
    path = save_chart(fig, tmp_path / "themes.png")
    assert path == tmp_path / "themes.png" and list(tmp_path.iterdir()) == [path]
    width, height = fig.get_size_inches()
    with Image.open(path) as img:
        assert img.format == "PNG"
        assert abs(img.size[0] - width * DPI) <= 1 and abs(img.size[1] - height * DPI) <= 1
        assert img.info["dpi"] == pytest.approx((DPI, DPI), abs=0.01)
        rgb = img.convert("RGB")
        colours = {c for _, c in rgb.getcolors(maxcolors=1 << 20)}
        ink = sum(n for n, c in rgb.getcolors(maxcolors=1 << 20) if c != (255, 255, 255))
        assert ink / (img.size[0] * img.size[1]) > 0.03  # bars and text, not an empty page
    assert (0, 0x72, 0xB2) in colours and (0xE6, 0x9F, 0x00) in colours  # the two series


def test_svg_keeps_labels_and_title_as_text(tmp_path: Path) -> None:
    fig = theme_chart(_table(), "participants", title="Who spoke of what")
    path = save_chart(fig, tmp_path / "themes.SVG")  # the suffix in any case
    texts = _texts(path)
    assert "Who spoke of what" in texts
    assert {"Police fear", "Stigma", "Kazakhstan (n = 7)", "Ukraine (n = 6)"} <= set(texts)
    assert any(t.startswith("– Experiences of discrimination") for t in texts)
    assert "Participants with the code" in texts
    root = ET.parse(path).getroot()
    assert root.find(f"{SVG}title").text == "Who spoke of what"
    assert "Date" not in path.read_text(encoding="utf-8")  # the same chart gives the same file


def test_other_suffixes_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    fig = theme_chart(_table(), "codings")
    for name in ("chart.pdf", "chart.jpg", "chart"):
        with pytest.raises(ExportError, match=r"unknown chart format .*use \.png or \.svg"):
            save_chart(fig, tmp_path / name)
    with pytest.raises(ExportError, match="does not exist"):
        save_chart(fig, tmp_path / "missing" / "chart.png")
    assert list(tmp_path.iterdir()) == []


def test_figures_use_the_agg_canvas_and_no_pyplot() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = theme_chart(_table(), "codings")
    assert type(fig.canvas) is FigureCanvasAgg


# --- heatmap -------------------------------------------------------------------------------------


def test_heatmap_writes_every_value_and_names_every_code(tmp_path: Path) -> None:
    labels = ["Police fear", "Release risks > Housing", "Stigma", f"Stigma > {LONG}"]
    matrix = [[5, 2, 0, 0], [2, 4, 1, 0], [0, 1, 3, 1], [0, 0, 1, 2]]
    fig = cooccurrence_heatmap(matrix, labels, value_label="Overlapping codings")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == [str(v) for row in matrix for v in row]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[:3] == ["Police fear  1", "Release risks › Housing  2", "Stigma  3"]
    assert ticks[3].startswith("– Experiences of discrimination") and ticks[3].endswith("…  4")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "4"]
    caption = fig._supxlabel.get_text().replace("\n", " ")
    assert f"Full names: 4. Stigma > {LONG}." in caption
    assert (
        "Cells: Overlapping codings" in caption and "Sub-codes (–) follow their parent" in caption
    )
    assert fig.axes[1].get_ylabel() == "Overlapping codings"  # the colour bar
    # the diagonal is outside the colour scale: the largest other value gets the darkest blue
    assert ax.images[0].norm.vmax == 2
    path = save_chart(fig, tmp_path / "heat.svg")
    texts = _texts(path)
    assert "Code co-occurrence" in texts and "Police fear  1" in texts and "Stigma  3" in texts
    png = save_chart(fig, tmp_path / "heat.png")
    with Image.open(png) as img:
        expected = [v * DPI for v in fig.get_size_inches()]
        assert all(abs(a - b) <= 1 for a, b in zip(img.size, expected, strict=True))


def test_big_heatmaps_leave_zeros_blank() -> None:
    n = 12
    matrix = [[(i + j) % 3 if i != j else 9 for j in range(n)] for i in range(n)]
    fig = cooccurrence_heatmap(matrix, [f"Code {i}" for i in range(n)])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts[:4] == ["9", "1", "2", ""]
    assert "A blank cell is 0." in fig._supxlabel.get_text().replace("\n", " ")


def test_cooccurrence_chart_of_the_sample(sample) -> None:
    from qualbench.reports.charts import cooccurrence_chart
    from qualbench.reports.cooccurrence import cooccurrence

    with sample.read() as s:
        matrix = cooccurrence(s, mode="paragraph")
    fig = cooccurrence_chart(matrix)
    ax = fig.axes[0]
    assert fig.get_suptitle() == "Code co-occurrence: codes in the same paragraph"
    assert len(ax.get_yticklabels()) == len(matrix.codes)
    assert ax.get_yticklabels()[0].get_text().startswith(matrix.codes[0].name)
    caption = fig._supxlabel.get_text().replace("\n", " ")
    assert "paragraphs in which both codes are present" in caption
    assert fig.axes[1].get_ylabel() == "Paragraphs with both codes"
    fig = cooccurrence_chart(matrix, jaccard=True, title="J")
    assert fig.get_suptitle() == "J" and fig.axes[1].get_ylabel() == "Jaccard index"
    assert "Jaccard = paragraphs with A and B" in fig._supxlabel.get_text().replace("\n", " ")


def test_heatmap_fractions_and_undefined_cells() -> None:
    fig = cooccurrence_heatmap(
        [[1.0, 0.25, None], [0.25, 1.0, 0.5], [None, 0.5, 1.0]],
        ["A", "B", "C"],
        colour_diagonal=True,
    )
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["1.00", ".25", "–", ".25", "1.00", ".50", "–", ".50", "1.00"]
    assert "A dash: not defined." in fig._supxlabel.get_text().replace("\n", " ")


def test_heatmap_needs_a_square_matrix() -> None:
    with pytest.raises(ChartError, match="2 x 2"):
        cooccurrence_heatmap([[1, 2, 3], [4, 5, 6]], ["A", "B"])
    with pytest.raises(ChartError, match="no codes"):
        cooccurrence_heatmap([], [])


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def sample_file(_sample_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "sample.qualbench"
    shutil.copy(_sample_template, path)
    return path


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_chart_png_and_svg(sample_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "themes.png"
    code, _, err = run(
        capsys, "chart", sample_file, out, "--by", "document:country", "--measure",
        "participants", "--rollup", "--depth", "0",
    )  # fmt: skip
    assert code == 0 and f"wrote {out}" in err
    with Image.open(out) as img:
        assert img.info["dpi"] == pytest.approx((DPI, DPI), abs=0.01)
        assert img.size[0] == 7 * DPI
    svg = tmp_path / "themes.svg"
    code, _, _ = run(
        capsys, "chart", sample_file, svg, "--by", "case:gender", "--stacked", "--coder", "ana",
        "--title", "Themes by gender", "--code", "Release-from-prison risks",
    )  # fmt: skip
    assert code == 0
    texts = _texts(svg)
    assert "Themes by gender" in texts and "Release-from-prison risks" in texts
    assert "– Housing" in texts and "Police fear" not in texts
    assert {"man", "woman"} <= set(texts)


def test_cli_chart_cooccurrence_heatmap(sample_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "cooc.svg"
    code, _, err = run(
        capsys, "chart", sample_file, out, "--cooccurrence", "turn", "--jaccard",
        "--code", "Release-from-prison risks",
    )  # fmt: skip
    assert code == 0, err
    texts = _texts(out)
    assert "Code co-occurrence: codes in the same speaker turn (Jaccard index)" in texts
    assert "Jaccard index" in texts and "– Housing  2" in texts
    assert not any("Police fear" in t for t in texts)


def test_cli_chart_errors(sample_file: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "chart", sample_file, tmp_path / "themes.pdf")
    assert code == 1 and "unknown chart format '.pdf'; use .png or .svg" in err
    code, _, err = run(capsys, "chart", sample_file, tmp_path / "t.png", "--measure", "nonsense")
    assert code == 1 and "unknown measure 'nonsense'" in err
    code, _, err = run(capsys, "chart", sample_file, tmp_path / "t.png", "--by", "planet")
    assert code == 1 and "no attribute 'planet'" in err
    with pytest.raises(SystemExit) as exc:
        main(["chart", str(sample_file), str(tmp_path / "t.png"), "--depth", "-1"])
    assert exc.value.code == 2 and "--depth: must be 0 or more" in capsys.readouterr().err
    assert list(tmp_path.glob("t.*")) == [] and list(tmp_path.glob("themes.*")) == []
