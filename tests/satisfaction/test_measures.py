"""The survey measures on small lists computed by hand (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.satisfaction import measures as m


def r2(value: float | None) -> float:
    assert value is not None
    return round(value, 2)


def test_nps_of_ten_answers_and_its_interval():
    # 5 promoters (9, 10), 3 passives (7, 8), 2 detractors (0–6):
    # NPS = 50 % − 20 % = 30 points. p_P = .5, p_D = .2:
    # Var = (.5 + .2 − (.5 − .2)²) / 10 = (.7 − .09) / 10 = .061; √.061 = .246982;
    # 1.96 × .246982 = .484085 → ±48.41 points → [−18.41, 78.41].
    scores = [9, 10, 10, 9, 9, 7, 8, 8, 6, 0]
    r = m.nps(scores)
    assert (r.promoters, r.passives, r.detractors, r.n) == (5, 3, 2, 10)
    assert r.nps == pytest.approx(30.0)
    assert r.margin == pytest.approx(48.4085, abs=1e-4)
    assert r2(r.low) == -18.41 and r2(r.high) == 78.41
    assert r.small  # 10 < 30


def test_nps_interval_is_clipped_and_none_without_answers():
    # 3 promoters, 1 detractor: NPS = (3 − 1)/4 = 50; Var = (1 − .25)/4 = .1875,
    # √ = .433013, × 1.96 = .848705 → ±84.87 → [−34.87, 134.87] clipped to 100.
    r = m.nps([10, 9, 9, 3])
    assert r.nps == pytest.approx(50.0)
    assert r2(r.low) == -34.87 and r.high == 100.0
    assert m.nps([None]).nps is None and m.nps([]).low is None
    # all promoters: no spread, the interval is the point (and the sample is small)
    allp = m.nps([10] * 5)
    assert (allp.nps, allp.low, allp.high, allp.small) == (100.0, 100.0, 100.0, True)


def test_nps_groups_and_bad_scores():
    assert [m.nps_group(s) for s in (0, 6, 7, 8, 9, 10)] == [
        "detractor", "detractor", "passive", "passive", "promoter", "promoter"
    ]  # fmt: skip
    with pytest.raises(ValueError, match="0 to 10"):
        m.nps([11])


def test_large_sample_is_not_small():
    # 30 answers: 12 promoters, 10 passives, 8 detractors → NPS = (12 − 8)/30 = 13.33
    r = m.nps([10] * 12 + [7] * 10 + [2] * 8)
    assert r2(r.nps) == 13.33 and not r.small


def test_csat_share_and_mean():
    # 8 ratings, 5 of them 4 or 5 → 5/8 = .625; mean = (5+5+4+4+4+3+2+1)/8 = 28/8 = 3.5
    r = m.csat([5, 5, 4, 4, 4, 3, 2, 1, None])
    assert (r.n, r.satisfied) == (8, 5)
    assert r.share == pytest.approx(0.625) and r.mean == pytest.approx(3.5)
    assert m.csat([]).share is None
    with pytest.raises(ValueError, match="1 to 5"):
        m.csat([0])


def test_response_rate_counts_expired_invitations():
    # 40 sent (6 of them expired unanswered), 14 answered → 14/40 = .35
    assert m.response_rate(40, 14).rate == pytest.approx(0.35)
    assert m.response_rate(0, 0).rate is None
    with pytest.raises(ValueError, match="not a response count"):
        m.response_rate(3, 4)


FIVE = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]


def test_servqual_weighted_gaps_on_a_small_table():
    # item  dimension    importance  (expected, perceived) per respondent
    # q1    tangibles    1           (6,5) (7,5) (5,5)        E 6    P 5    gap −1
    # q2    reliability  3           (7,4) (6,5) (–,6)        E 6.5  P 4.5  gap −2 (2 both)
    # q3    reliability  2           (5,6) (5,6) (4,6)        E 14/3 P 6    gap 4/3
    # q4    empathy      2           (6,6) (6,5) (5,–)        E 6    P 5.5  gap −.5 (2 both)
    # q5    assurance    0           nobody                   —
    # weights = importance / 8: .125 .375 .25 .25 0
    # weighted gaps: −.125, −.75, .333333, −.125, —
    # score = Σ w·gap / Σ w (answered) = (−.125 − .75 + .333333 − .125) / 1 = −.666667
    items = [
        m.ServqualItem("q1", "tangibles", 1, [(6, 5), (7, 5), (5, 5)]),
        m.ServqualItem("q2", "reliability", Decimal(3), [(7, 4), (6, 5), (None, 6)]),
        m.ServqualItem("q3", "reliability", 2, [(5, 6), (5, 6), (4, 6)]),
        m.ServqualItem("q4", "empathy", 2.0, [(6, 6), (6, 5), (5, None)]),
        m.ServqualItem("q5", "assurance", 0, []),
    ]
    r = m.servqual(items, FIVE)
    by = {i.key: i for i in r.items}
    assert [by[k].n for k in ("q1", "q2", "q3", "q4", "q5")] == [3, 2, 3, 2, 0]
    assert by["q2"].expected == 6.5 and by["q2"].perceived == 4.5 and by["q2"].gap == -2
    assert by["q3"].gap == pytest.approx(4 / 3)
    assert [by[k].weight for k in ("q1", "q2", "q3", "q4", "q5")] == [0.125, 0.375, 0.25, 0.25, 0]
    assert by["q2"].weighted == pytest.approx(-0.75)
    assert by["q3"].weighted == pytest.approx(1 / 3)
    assert by["q5"].gap is None and by["q5"].weighted is None
    assert r.score == pytest.approx(-2 / 3)
    # fix first: q2 (−.75), then q1 and q4 (−.125 each, in the survey's order), then q3, q5
    assert [i.key for i in r.ranking] == ["q2", "q1", "q4", "q3", "q5"]
    dims = {d.dimension: d for d in r.dimensions}
    assert [d.dimension for d in r.dimensions] == FIVE
    # reliability: E = mean(6.5, 14/3) = 5.583333, P = mean(4.5, 6) = 5.25,
    # gap = mean(−2, 4/3) = −1/3, weight = .375 + .25 = .625, weighted = −.75 + 1/3 = −5/12
    rel = dims["reliability"]
    assert rel.expected == pytest.approx(67 / 12) and rel.perceived == pytest.approx(5.25)
    assert rel.gap == pytest.approx(-1 / 3) and rel.weight == pytest.approx(0.625)
    assert rel.weighted == pytest.approx(-5 / 12)
    assert dims["responsiveness"].gap is None and dims["responsiveness"].weight == 0
    assert dims["assurance"].items == 0 and dims["assurance"].weighted is None
    assert dims["empathy"].weighted == pytest.approx(-0.125)
    # the dimensions' weighted gaps add up to the score (the weights of answered items sum to 1)
    assert sum(d.weighted or 0 for d in r.dimensions) == pytest.approx(r.score)


def test_servqual_without_weights_counts_items_alike_and_rejects_unknown_dimensions():
    # importances all 0: each of the 2 items weighs ½; gaps −1 and +2 → score .5
    items = [
        m.ServqualItem(1, "tangibles", 0, [(5, 4)]),
        m.ServqualItem(2, "empathy", 0, [(3, 5)]),
    ]
    assert m.servqual(items, FIVE).score == pytest.approx(0.5)
    with pytest.raises(ValueError, match="unknown dimensions: courtesy"):
        m.servqual([m.ServqualItem(1, "courtesy", 1, [])], FIVE)
