from eda_lab.exercises import check


def test_check_reports_right_wrong_and_unanswered(capsys):
    check("sum", 4, 4)
    check("sum", 5, 4, hint="two plus two")
    check("sum", None, 4, hint="try")
    out = capsys.readouterr().out.splitlines()
    assert out == ["✅ sum", "❌ sum: expected 4, got 5. Look at: two plus two",
                   "❌ sum: not answered yet. Look at: try"]
