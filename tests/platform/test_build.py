"""Builds: compile errors with file/line/column, pyflakes findings, artifacts keyed by hash."""

import marshal

import pytest

from backtesting.engine.loader import ARTIFACT_MAGIC, unpack_artifact
from ide.build import check_sources
from ide.models import BuildArtifact


def test_a_syntax_error_names_file_line_and_column():
    diagnostics = check_sources({"main.py": "x = 1\nif x = 2:\n    pass\n"})
    assert len(diagnostics) == 1
    d = diagnostics[0]
    assert (d["file"], d["line"], d["col"], d["severity"]) == ("main.py", 2, 4, "error")
    assert "invalid syntax" in d["message"] or "'=='" in d["message"]


def test_pyflakes_reports_undefined_names_despite_the_algorithm_star_import():
    source = (
        "from AlgorithmImports import *\n"
        "class A(QCAlgorithm):\n"
        "    def on_data(self, data):\n"
        "        self.debug(undefined_thing)\n"
    )
    diagnostics = check_sources({"main.py": source})
    assert diagnostics == [
        {
            "file": "main.py",
            "line": 4,
            "col": 20,
            "severity": "error",
            "message": "undefined name 'undefined_thing'",
        }
    ]


def test_unused_imports_are_warnings_not_errors():
    diagnostics = check_sources({"helpers.py": "import os\n"})
    assert [(d["line"], d["severity"]) for d in diagnostics] == [(1, "warning")]


@pytest.mark.django_db
def test_the_build_compiles_the_artifact_from_the_checked_parse():
    """build_sources' code objects equal compile_sources' (docstrings and asserts stripped,
    file names kept, helpers as dotted modules; marshal may share objects differently)."""
    from backtesting.engine.loader import compile_sources
    from ide.build import build_sources

    sources = {
        "main.py": '''"""The algorithm."""
from AlgorithmImports import *
from lib.util import double


class Main(QCAlgorithm):
    """Doubles."""

    def initialize(self):
        assert double(2) == 4
        self.set_cash(100000)
''',
        "lib/util.py": 'def double(x):\n    """Twice x."""\n    return 2 * x\n',
        "notes.txt": "not python",
    }
    diagnostics, modules = build_sources(sources)
    assert diagnostics == []
    expected = compile_sources(sources)
    assert list(modules) == list(expected) == ["main", "lib.util"]
    for name, code in expected.items():
        assert modules[name] == code
        assert modules[name].co_filename == code.co_filename
        assert marshal.loads(marshal.dumps(modules[name])) == code
    broken = build_sources({"main.py": "def f(:\n", "ok.py": "x = 1\n"})
    assert broken[0][0]["severity"] == "error" and list(broken[1]) == ["ok"]


@pytest.mark.parametrize(
    "source",
    [
        '"""doc"""\nfrom __future__ import annotations\nimport os\nfrom __future__ import division\n',
        "x = 1\nfrom __future__ import annotations\n",
        "import os\nclass A:\n    from __future__ import braces\n",
        "from __future__ import annotations\nclass A:\n    pass\nfrom __future__ import division\n",
        "from __future__ import nonsense\ndef f():\n    return g\n",
    ],
)
def test_the_build_checker_finds_what_pyflakes_finds(source):
    """The build's checker answers pyflakes' per-node "may a __future__ import still
    come?" faster; every finding stays the same."""
    import ast

    from pyflakes.checker import Checker

    from ide.build import _Checker

    tree = ast.parse(source)
    expected = [str(message) for message in Checker(tree).messages]
    assert expected  # each source has something to report
    assert [str(message) for message in _Checker(ast.parse(source)).messages] == expected


def test_build_api_returns_diagnostics_and_stores_no_artifact_on_error(api, owner, project):
    client = api(owner)
    client.put(f"/api/projects/{project.pk}/files/main.py", {"content": "def f(:\n"}, format="json")

    response = client.post(f"/api/projects/{project.pk}/build/")

    assert response.status_code == 200
    assert response.data["success"] is False
    assert response.data["diagnostics"][0]["file"] == "main.py"
    assert response.data["diagnostics"][0]["line"] == 1
    assert not BuildArtifact.objects.exists()


@pytest.mark.django_db
def test_the_build_response_says_how_long_the_check_took_on_the_server(api, owner, project):
    """``Server-Timing`` carries the compile + pyflakes time (what make bench reports)."""
    import re

    response = api(owner).post(f"/api/projects/{project.pk}/build/")

    timing = re.fullmatch(
        r'check;dur=(\d+\.\d);desc="compile \+ pyflakes"', response["Server-Timing"]
    )
    assert timing is not None, response["Server-Timing"]
    assert 0 < float(timing.group(1)) < 10_000


@pytest.mark.django_db
def test_a_successful_build_stores_bytecode_once_per_sources_hash(api, owner, project):
    client = api(owner)

    first = client.post(f"/api/projects/{project.pk}/build/")
    second = client.post(f"/api/projects/{project.pk}/build/")

    assert first.data == {"success": True, "diagnostics": []}
    assert second.data["success"] is True
    artifact = BuildArtifact.objects.get()
    assert bytes(artifact.magic) == ARTIFACT_MAGIC
    modules = unpack_artifact(bytes(artifact.blob))
    assert list(modules) == ["main"]
    # Bytecode only: the source text is not in the blob.
    assert b'set_holdings("SPY", 1)' not in bytes(artifact.blob)
    assert isinstance(marshal.loads(bytes(artifact.blob)), dict)


@pytest.mark.django_db
def test_file_limits_of_the_tier_are_enforced(api, owner, project):
    client = api(owner)
    too_big = "x = 1\n" * 6000  # 36 KB > 32 KB on Free
    response = client.put(
        f"/api/projects/{project.pk}/files/big.py", {"content": too_big}, format="json"
    )
    assert response.status_code == 403
    assert response.data["error"] == "The Free tier allows files of up to 32 KB"
    for n in range(24):
        assert (
            client.put(
                f"/api/projects/{project.pk}/files/f{n}.py", {"content": ""}, format="json"
            ).status_code
            == 201
        )
    response = client.put(
        f"/api/projects/{project.pk}/files/one_more.py", {"content": ""}, format="json"
    )
    assert response.status_code == 403
    assert response.data["error"] == "The Free tier allows 25 files per project"
    assert project.files.count() == 25


@pytest.mark.django_db
def test_projects_are_created_with_files_and_listed(api, owner, free_org):
    client = api(owner)
    created = client.post(
        "/api/projects/",
        {
            "name": "P",
            "files": [
                {"name": "main.py", "content": "x = 1\n"},
                {"name": "lib/util.py", "content": ""},
            ],
        },
        format="json",
    )
    assert created.status_code == 201
    assert sorted(f["name"] for f in created.data["files"]) == ["lib/util.py", "main.py"]
    listed = client.get("/api/projects/").data
    assert [(p["id"], p["name"], p["organization"]) for p in listed] == [
        (created.data["id"], "P", free_org.pk)
    ]
    file = client.get(f"/api/projects/{created.data['id']}/files/lib/util.py")
    assert file.status_code == 200 and file.data["name"] == "lib/util.py"
