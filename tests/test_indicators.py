"""``eco12geo indicators``: the 36 indicators of 表1, their targets, values and the scorecard."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from eco12geo.cli.main import main
from eco12geo.errors import InputError, PlanError
from eco12geo.indicators import IndicatorSet, evaluate, load_indicators, read_values, scorecard
from eco12geo.report import write_scorecard


@pytest.fixture(scope="module")
def ind() -> IndicatorSet:
    return load_indicators()


@pytest.fixture(scope="module")
def plan_text(plan_document: str) -> str:
    return plan_document


@pytest.fixture(scope="module")
def table_blocks(plan_text: str) -> dict[int, str]:
    """Table 1 of the plan text, cut into one block per row number (the cells of that row)."""
    lines = plan_text.splitlines()
    start = next(i for i, line in enumerate(lines) if "表1 第十二师生态文明建设示范区规划指标体系" in line)
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith("注：“*”表示相应指标未达标"))
    table = lines[start:end]
    heads = [(i, int(m.group(1))) for i, line in enumerate(table) if (m := re.fullmatch(r"\t(\d+) ", line))]
    assert [n for _, n in heads] == list(range(1, 37))
    blocks = {0: "\n".join(table[: heads[0][0]])}  # 0: the header and the first task cell
    for k, (i, n) in enumerate(heads):
        j = heads[k + 1][0] if k + 1 < len(heads) else len(table)
        blocks[n] = "\n".join(table[i:j])
    return blocks


def _by_no(card) -> dict:  # noqa: ANN001
    return {r.indicator.no: r for r in card.results}


# ───────────── the acceptance: the plan's published 2022 column ─────────────


def test_published_2022_is_33_met_3_not_met(ind: IndicatorSet, plan_text: str) -> None:
    card = evaluate(ind)
    assert card.year == 2022
    assert card.summary == {"met": 33, "not_met": 3, "no_data": 0}
    failing = [r.indicator for r in card.results if r.status == "not_met"]
    assert [d.no for d in failing] == [1, 19, 20]
    # the same three indicators the text of 二（七） names, by name or by the name it uses there
    names = {n for d in failing for n in (d.name_zh, *d.aliases)}
    assert set(ind.stated_not_met) <= names and len(ind.stated_not_met) == 3
    assert ind.stated_met == card.summary["met"]
    section = plan_text[plan_text.index("（七）建设指标"):plan_text.index("表1 第十二师")]
    assert f"{ind.stated_met}项指标已达标" in section
    assert f"{'、'.join(ind.stated_not_met)}3项指标不达标" in section


def test_the_three_failures_come_from_the_data(ind: IndicatorSet, plan_text: str) -> None:
    r = _by_no(evaluate(ind))
    # 1: 未制定 is the negation of 制定实施 (not a list of failures)
    assert r[1].value == "未制定*" and "negation" in r[1].reason and "未达到" in r[1].reason_zh
    # 19: -17.70 against ≥4.5, a number
    assert r[19].reason == "-17.7 does not satisfy ≥4.5"
    # 20: a bare level against 完成上级管控目标: the plan's own verdict, quoted from 二（七）
    assert r[20].value == "0.56" and "二（七）" in r[20].reason
    src = ind.get(20).parts[0].assessed[2022].source
    assert src.startswith("二（七）：") and all(piece in plan_text for piece in src[5:].split("……"))
    # the same value given by the user is not judged by the plan's verdict
    assert _by_no(evaluate(ind, {20: "0.56"}))[20].status == "no_data"


def test_every_starred_cell_is_not_met(ind: IndicatorSet) -> None:
    for year in ind.years:
        card = _by_no(evaluate(ind, year=year))
        for d in ind.indicators:
            for k, p in enumerate(d.parts):
                if p.values[year].rstrip().endswith("*"):
                    assert card[d.no].parts[k].status == "not_met", (d.no, year)


@pytest.mark.parametrize("year", [2025, 2030, 2035])
def test_planned_columns_meet_every_target(ind: IndicatorSet, year: int) -> None:
    card = evaluate(ind, year=year)
    assert card.summary == {"met": 36, "not_met": 0, "no_data": 0}, [
        (r.indicator.no, r.reason) for r in card.results if r.status != "met"]
    # no planned cell needs the plan's own verdict: all are computed
    assert not any("assessment" in r.reason for r in card.results)


# ───────────── the indicators file: consistent with 表1 and 二（七） ─────────────


def test_indicators_file_is_consistent(ind: IndicatorSet) -> None:
    assert len(ind.indicators) == 36 == ind.stated_total
    assert [d.no for d in ind.indicators] == list(range(1, 37))
    binding = [d.no for d in ind.indicators if d.attribute == "约束性"]
    reference = [d.no for d in ind.indicators if d.attribute == "参考性"]
    assert len(binding) == 18 == ind.stated_binding and len(reference) == 18 == ind.stated_reference
    assert binding == [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15, 17, 18, 23, 24, 26, 33]
    assert list(dict.fromkeys(d.domain for d in ind.indicators)) == list(ind.domains)
    assert list(ind.domains) == ["生态制度", "生态安全", "生态空间", "生态经济", "生态生活", "生态文化"]
    assert {d.no for d in ind.indicators if d.multi} == {7, 8, 11, 32}
    assert ind.years == (2022, 2025, 2030, 2035) and ind.base_year == 2022
    assert all(d.section == "二（七）表1" for d in ind.indicators)


def test_every_published_figure_is_in_the_plan_text(ind: IndicatorSet, table_blocks: dict[int, str]) -> None:
    flat = re.sub(r"\s", "", "".join(table_blocks.values()))
    for d in ind.indicators:
        block = table_blocks[d.no]
        assert d.name_zh in block, d.no
        assert d.attribute in block, d.no
        if not d.multi or d.no in (7, 8):
            assert d.target in block, d.no
        assert d.task in flat, d.no  # the task cell spans rows; it stands above its first row
        for p in d.parts:
            if d.multi:
                assert p.name_zh in block, (d.no, p.name_zh)
                if p.target != "—":
                    assert p.target in block, (d.no, p.target)
            for year, text in p.values.items():
                assert text in block, (d.no, p.name_zh, year, text)
            c = p.check
            if c.value is not None:
                assert f"{c.value:g}" in block, (d.no, c.value)


def test_plan_file_names_the_indicators_file() -> None:
    text = resources.files("eco12geo.plans").joinpath("xpcc12_2023_2035.toml").read_text(encoding="utf-8")
    assert 'indicators = "xpcc12_2023_2035_indicators.toml"' in text


def _plan_copy(tmp_path: Path) -> tuple[Path, Path]:
    src = resources.files("eco12geo.plans")
    plan = tmp_path / "plan.toml"
    table = tmp_path / "xpcc12_2023_2035_indicators.toml"
    plan.write_text(src.joinpath("xpcc12_2023_2035.toml").read_text(encoding="utf-8"), encoding="utf-8")
    table.write_text(src.joinpath("xpcc12_2023_2035_indicators.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return plan, table


def test_plan_and_indicators_keys_are_validated(tmp_path: Path) -> None:
    plan, table = _plan_copy(tmp_path)
    assert len(load_indicators(plan).indicators) == 36  # resolved relative to the plan file
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace('kind = "trend", better = "higher" }', 'kind = "trend", better = "up" }', 1),
                     encoding="utf-8")
    with pytest.raises(PlanError, match=r"indicator\[no=7\]\.part\[0\]\.check\.better"):
        load_indicators(plan)
    table.write_text(text.replace('2022 = "21.0", ', "", 1), encoding="utf-8")
    with pytest.raises(PlanError, match=r"indicator\[no=3\]\.values\.2022"):
        load_indicators(plan)
    table.write_text(text.replace('attribute = "参考性"', 'attribute = "参考"', 1), encoding="utf-8")
    with pytest.raises(PlanError, match=r"indicator\[no=10\]\.attribute"):
        load_indicators(plan)
    table.write_text(text.replace("no = 36", "no = 37", 1), encoding="utf-8")
    with pytest.raises(PlanError, match=r"indicator\.no"):
        load_indicators(plan)
    table.unlink()
    with pytest.raises(PlanError, match=r"plan\.indicators"):
        load_indicators(plan)
    plan.write_text(plan.read_text(encoding="utf-8").replace('indicators = "xpcc12_2023_2035_indicators.toml"\n', ""),
                    encoding="utf-8")
    with pytest.raises(PlanError, match=r"plan key 'plan\.indicators' is missing"):
        load_indicators(plan)


# ───────────── each kind of target, by hand ─────────────


def _status(ind: IndicatorSet, values: dict, year: int | None = None, no: int | None = None, part: int = 0) -> str:
    card = _by_no(evaluate(ind, values, year))
    key = next(iter(values))
    n = no if no is not None else int(str(key).split(".")[0].split(":")[0])
    r = card[n]
    return r.parts[part].status if r.indicator.multi else r.status


@pytest.mark.parametrize(("value", "status"), [
    ("20", "met"), ("20%", "met"), ("19.5", "not_met"), ("21.0 %", "met"), ("≥22", "met"), ("不低于21", "met"),
    (">20", "met"), ("≥18", "not_met"), ("15-25", "not_met"), ("≤19", "not_met"), ("20以上", "met"),
    ("较2020年上升2%", "no_data"), ("很好", "no_data"),
])
def test_threshold(ind: IndicatorSet, value: str, status: str) -> None:
    assert _status(ind, {3: value}) == status


def test_threshold_reasons(ind: IndicatorSet) -> None:
    r = _by_no(evaluate(ind, {3: "≥18", 19: "5.2%", 21: "完成年度审核计划", 24: "84.9"}))
    assert r[3].reason == "the range ≥18 does not guarantee ≥20" and r[3].reason_zh == "范围≥18不能保证≥20"
    assert r[19].status == "met" and r[21].status == "met"
    assert r[24].status == "not_met" and r[24].reason_zh == "84.9，不满足≥85"


@pytest.mark.parametrize(("no", "value", "status"), [
    (1, "实施", "met"), (1, "制定实施", "met"), (1, "已制定并实施", "met"), (1, "未制定", "not_met"),
    (1, "未制定*", "not_met"), (1, "制定", "not_met"), (1, "未实施", "not_met"), (1, "研究中", "no_data"),
    (13, "建立", "met"), (13, "已建立", "met"), (13, "未建立", "not_met"), (14, "尚未建立", "not_met"),
    (4, "全面实施", "met"), (4, "部分实施", "not_met"), (2, "未有效开展", "not_met"), (2, "未开展", "not_met"),
    (15, "面积不减少, 性质不改变, 功能不降低", "met"), (15, "面积减少", "not_met"), (31, "实施", "met"),
    (21, "未完成年度审核计划", "not_met"),
])
def test_text(ind: IndicatorSet, no: int, value: str, status: str) -> None:
    assert _status(ind, {no: value}) == status


@pytest.mark.parametrize(("key", "value", "year", "status"), [
    ("7.2", "较2020年下降2%", 2022, "met"),
    ("7.2", "较2020年上升3%", 2022, "not_met"),
    ("7.2", "较2020年下降0%", 2022, "met"),
    ("7.1", "80", 2022, "no_data"),       # a level with no base: the user must give a change or a statement
    ("7.1", "79", 2025, "met"),           # against the plan's 2022 figure 78.1, higher is better
    ("7.1", "77", 2025, "not_met"),
    ("7.1", "保持稳定", 2022, "met"),
    (20, "较2020年上升5%", 2022, "not_met"),  # lower is better
    (20, "较2020年下降5%", 2022, "met"),
    (20, "完成上级管控目标", 2022, "met"),
    (20, "未完成上级管控目标", 2022, "not_met"),
    (20, "不稳定", 2022, "not_met"),
    (20, "0.50", 2025, "met"),            # against 0.56 (2022)
    (20, "0.60", 2025, "not_met"),
    (20, "0.56", 2022, "no_data"),
    (22, "95.0（持续改善）", 2022, "met"),
    (22, "90", 2030, "not_met"),          # below 94.15 (2022)
    ("32.3", "上升", 2022, "not_met"),
    ("32.1", "95", 2025, "not_met"),       # below 96 (2022)
    ("8.2", "无劣V类水体", 2030, "met"),
    ("8.2", "有劣V类水体", 2030, "not_met"),
])
def test_trend(ind: IndicatorSet, key: str | int, value: str, year: int, status: str) -> None:
    no = int(str(key).split(".")[0])
    part = int(str(key).split(".")[1]) - 1 if "." in str(key) else 0
    assert _status(ind, {key: value}, year, no, part) == status


@pytest.mark.parametrize(("value", "year", "status"), [
    ("39.5", 2025, "met"), ("38.5", 2025, "not_met"), ("39", 2030, "met"),
    ("△EQI=-0.5", 2022, "met"), ("ΔEQI=-2", 2022, "not_met"), ("≥40", 2022, "no_data"),
])
def test_delta(ind: IndicatorSet, value: str, year: int, status: str) -> None:
    assert _status(ind, {9: value}, year) == status


def test_plan_assessment_only_for_published_cells(ind: IndicatorSet) -> None:
    r = _by_no(evaluate(ind))
    assert r[17].status == "met" and "二（七）" in r[17].reason_zh
    assert _by_no(evaluate(ind, {17: "0.32"}))[17].status == "no_data"
    r = _by_no(evaluate(ind, {17: "完成上级规定的目标任务"}))
    assert r[17].status == "met" and r[17].parts[0].value_source == "values"


def test_no_data_and_parts(ind: IndicatorSet) -> None:
    card = evaluate(ind, {3: None, "10": "", "7.2": None})
    r = _by_no(card)
    assert r[3].status == r[10].status == r[7].status == "no_data" and r[3].value is None
    assert r[3].reason == "no value given" and r[3].reason_zh == "未提供数值"
    assert card.summary == {"met": 30, "not_met": 3, "no_data": 3}
    # a part not met makes the indicator not met, even with another part without data
    r = _by_no(evaluate(ind, {"7.1": None, "7:PM2.5浓度下降幅度": "较2020年上升1%"}))
    assert r[7].status == "not_met"
    assert [p.status for p in r[7].parts] == ["no_data", "not_met"]


def test_bad_keys(ind: IndicatorSet) -> None:
    with pytest.raises(InputError, match="indicator 37 is not in 表1"):
        evaluate(ind, {37: "1"})
    with pytest.raises(InputError, match="indicator 7 has parts"):
        evaluate(ind, {7: "80"})
    with pytest.raises(InputError, match="no part '9'"):
        evaluate(ind, {"7.9": "80"})
    with pytest.raises(InputError, match="year=2024 is not a column") as info:
        evaluate(ind, None, 2024)
    assert info.value.param == "year"


# ───────────── the values CSV and the command ─────────────


def test_values_csv_utf8_overrides(tmp_path: Path, ind: IndicatorSet) -> None:
    p = tmp_path / "v.csv"
    p.write_text("no,sub,value\n1,,实施\n19,,5.1\n20,,较2020年下降4.2%\n7,1,\n7,PM2.5浓度下降幅度,较2020年下降3%\n",
                 encoding="utf-8-sig")
    values = read_values(p)
    assert values == {"1": "实施", "19": "5.1", "20": "较2020年下降4.2%", "7:1": None,
                      "7:PM2.5浓度下降幅度": "较2020年下降3%"}
    card = evaluate(ind, values)
    assert card.summary == {"met": 35, "not_met": 0, "no_data": 1}
    r = _by_no(card)
    assert r[7].status == "no_data" and r[1].parts[0].value_source == "values"
    assert r[2].parts[0].value_source == "published 2022"


def test_values_csv_gbk_without_bom(tmp_path: Path, ind: IndicatorSet) -> None:
    p = tmp_path / "gbk.csv"
    p.write_bytes("序号,子项,数值\n1,,未制定\n11,外来物种入侵,明显\n28,,14.5平方米/人\n".encode("gbk"))
    short = tmp_path / "short.csv"  # short GBK text that is also valid UTF-8 ("实施" = CA B5 CA A9)
    short.write_bytes("no,value\n1,实施\n".encode("gbk"))
    assert read_values(short) == {"1": "实施"}
    assert not p.read_bytes().startswith(b"\xef\xbb\xbf")
    card = _by_no(scorecard(p))
    assert card[1].status == "not_met" and card[1].value == "未制定"
    assert card[11].status == "not_met" and card[11].parts[1].value == "明显"
    assert card[28].status == "not_met"


def test_values_csv_with_year(tmp_path: Path) -> None:
    p = tmp_path / "v.csv"
    p.write_text("no,value\n25,78\n", encoding="utf-8")
    card = scorecard(p, year=2025)
    assert card.year == 2025 and card.summary == {"met": 36, "not_met": 0, "no_data": 0}
    assert _by_no(card)[25].value == "78"


@pytest.mark.parametrize(("content", "message"), [
    ("number,value\n1,实施\n", "needs the columns no,value"),
    ("no,val\n1,实施\n", "needs the columns no,value"),
    ("no,value\nx,实施\n", "line 2: no 'x' is not an indicator number"),
    ("no,value\n1,实施\n1,实施\n", "line 3: indicator 1 is given twice"),
    ("", "is empty"),
])
def test_bad_values_csv(tmp_path: Path, content: str, message: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_values(p)


def test_write_scorecard(tmp_path: Path, ind: IndicatorSet) -> None:
    card = evaluate(ind)
    written = write_scorecard(card, tmp_path)
    assert [p.name for p in written] == ["scorecard.json", "scorecard.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scorecard.csv", "scorecard.json"]  # no temp files
    doc = json.loads((tmp_path / "scorecard.json").read_text(encoding="utf-8"))
    assert doc["schema_version"] == 1 and doc["year"] == 2022
    assert doc["summary"] == {"met": 33, "not_met": 3, "no_data": 0}
    assert [d["no"] for d in doc["indicators"]] == list(range(1, 37))
    first = doc["indicators"][0]
    assert {k: first[k] for k in ("no", "name_zh", "domain", "status", "target")} == {
        "no": 1, "name_zh": "生态文明建设规划", "domain": "生态制度", "status": "not_met", "target": "制定实施"}
    assert first["reason"] and first["reason_zh"] and first["name_en"]
    assert all(d["status"] in ("met", "not_met", "no_data") for d in doc["indicators"])
    assert [len(d["parts"]) for d in doc["indicators"] if "parts" in d] == [2, 3, 3, 3]
    raw = (tmp_path / "scorecard.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "no,part,name_zh,name_en,domain,attribute,status,value,target,reason,reason_zh,value_source"
    assert len(lines) == 1 + 36 + 11


def test_cli_default_and_english(tmp_path: Path) -> None:
    out = tmp_path / "o"
    res = CliRunner().invoke(main, ["indicators", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "生态制度" in res.output and "✗ 1" in res.output and "未达标" in res.output
    assert "合计: 达标 33 · 未达标 3 · 无数据 0" in res.output
    assert res.output.index("生态制度") < res.output.index("生态安全") < res.output.index("生态文化")
    en = CliRunner().invoke(main, ["indicators", "--out", str(out), "--lang", "en", "--year", "2030"])
    assert en.exit_code == 0, en.output
    assert "Ecological institutions" in en.output and "Summary: met 36 · not met 0 · no data 0" in en.output
    assert json.loads((out / "scorecard.json").read_text(encoding="utf-8"))["year"] == 2030


def test_cli_values(tmp_path: Path) -> None:
    p = tmp_path / "v.csv"
    p.write_bytes("no,value\n1,实施\n3,\n".encode("gbk"))
    res = CliRunner().invoke(main, ["indicators", "--values", str(p), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "含 --values 提供的数值" in res.output
    doc = json.loads((tmp_path / "o" / "scorecard.json").read_text(encoding="utf-8"))
    assert doc["summary"] == {"met": 33, "not_met": 2, "no_data": 1}


def _one_line_exit_2(args: list[str]) -> str:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert "Traceback" not in res.output
    assert len(err.splitlines()) == 1, err
    return err


def test_exit_2_paths(tmp_path: Path) -> None:
    out = str(tmp_path / "o")
    assert "does not exist" in _one_line_exit_2(["indicators", "--values", str(tmp_path / "none.csv"), "--out", out])
    bad = tmp_path / "bad.csv"
    bad.write_text("id,value\n1,实施\n", encoding="utf-8")
    assert "needs the columns no,value" in _one_line_exit_2(["indicators", "--values", str(bad), "--out", out])
    assert "--year 2024 is not a column of 表1" in _one_line_exit_2(["indicators", "--year", "2024", "--out", out])
    assert "--year 20x5 is not a year" in _one_line_exit_2(["indicators", "--year", "20x5", "--out", out])
    bad.write_text("no,value\n40,1\n", encoding="utf-8")
    assert "indicator 40 is not in 表1" in _one_line_exit_2(["indicators", "--values", str(bad), "--out", out])
    bad.write_bytes(b"\xff\xfe\x00\x01no,value")
    assert _one_line_exit_2(["indicators", "--values", str(bad), "--out", out]).startswith("eco12geo: error:")
    plan, table = _plan_copy(tmp_path)
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace('check = { kind = "text"', 'check = { kind = "words"', 1), encoding="utf-8")
    assert "check.kind" in _one_line_exit_2(["indicators", "--plan", str(plan), "--out", out])
    assert not (tmp_path / "o" / "scorecard.json").exists()


@pytest.mark.slow
def test_real_subprocess(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "eco12geo", "indicators", "--out", str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "scorecard.json").read_text(encoding="utf-8"))["summary"]["met"] == 33
    proc = subprocess.run([sys.executable, "-m", "eco12geo", "indicators", "--values", str(tmp_path / "x.csv"),
                           "--out", str(tmp_path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_plan_copy_is_independent(tmp_path: Path) -> None:
    # another plan's scorecard is another file: a copy with a changed figure changes the result
    plan, table = _plan_copy(tmp_path)
    table.write_text(table.read_text(encoding="utf-8").replace('2022 = "21.0"', '2022 = "19.0"', 1), encoding="utf-8")
    card = scorecard(plan_path=plan)
    assert card.summary == {"met": 32, "not_met": 4, "no_data": 0}
    shutil.rmtree(tmp_path)
