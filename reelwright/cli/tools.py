"""`reelwright screen`, `init-signing` and `verify`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from reelwright.compliance.signing import Verification
    from reelwright.verification import PackageVerification

from reelwright.cli.app import (
    EXIT_FAILED,
    EXIT_OK,
    app,
    load_settings,
    user_errors,
)


@app.command()
def screen(
    text: Annotated[
        str | None, typer.Argument(help="Text to screen (or use --file).", metavar="TEXT")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Screen this UTF-8 text file.", metavar="FILE")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    watchlist: Annotated[
        list[Path] | None, typer.Option(help="Extra watchlist YAML.", metavar="FILE")
    ] = None,
    allow: Annotated[
        list[str] | None,
        typer.Option(help="Watchlist entry cleared by the project.", metavar="NAME"),
    ] = None,
) -> None:
    """Screen text for protected IP, trademarks, real people and living artists' styles.
    Exit 0 whatever the verdict; 2 on bad input."""
    import json

    with user_errors("screen"):
        from reelwright.compliance.screening import Screener, Watchlist, default_screener, verdict
        from reelwright.errors import InputError

        if (text is None) == (file is None):
            raise InputError("give the text to screen, or --file FILE (not both)")
        if file is not None:
            if not file.is_file():
                raise InputError(f"no such file: {file}")
            try:
                text = file.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{file} is not UTF-8 text") from None
        assert text is not None
        screener = (
            Screener(Watchlist.load(watchlist or [], allow or []))
            if watchlist or allow
            else default_screener()
        )
        findings = screener.screen(text, str(file) if file else "text")
    result = {
        "verdict": verdict(findings),
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "entity": f.entity,
                "kind": f.kind,
                "span": list(f.span or (0, 0)),
                "evidence": f.evidence,
            }
            for f in findings
        ],
    }
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"verdict: {result['verdict']}")
    for f in findings:
        a, b = f.span or (0, 0)
        typer.echo(
            f"  {f.severity.value:6} {f.entity} ({f.kind}) at {a}-{b}: {f.evidence!r} — {f.fix}"
        )


@app.command("init-signing")
def init_signing_cmd(
    force: Annotated[bool, typer.Option(help="Replace existing credentials.")] = False,
) -> None:
    """Create a DEVELOPMENT CA and C2PA signer under .reelwright/signing/ for this project."""
    with user_errors("init-signing"):
        from reelwright.compliance.signing import DEV_NOTICE, init_signing

        settings = load_settings()
        config, created = init_signing(settings.home, force=force)
    typer.echo(("created " if created else "already present: ") + str(config.folder))
    typer.echo(f"  signer: {config.chain}\n  trust anchor (CA): {config.ca}")
    typer.echo(DEV_NOTICE)


@app.command()
def verify(
    target: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="An episode package folder, or one signed frame (PNG/JPEG) or animatic (MP4).",
        ),
    ],
    trust: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="CA certificate (PEM) to trust; default: the project's configured CA.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check content credentials. For a package folder: every file against the hashes in
    run.json and provenance.json and every frame and the animatic against its C2PA
    signature, one verdict per file. Exit 0 only when every file is ok (signed files by a
    trusted signer); 1 when a file was edited, removed, added, is unsigned or signed by an
    untrusted signer; 2 on bad input."""
    with user_errors("verify"):
        from reelwright.compliance.signing import signing_config, to_json
        from reelwright.compliance.signing import verify as verify_file
        from reelwright.errors import InputError

        if not target.exists():
            raise InputError(f"no such file or folder: {target}")
        if trust is not None and not trust.is_file():
            raise InputError(f"--trust {trust}: no such file")
        anchor = trust
        if anchor is None:
            config = signing_config(load_settings().home)
            anchor = config.ca if config else None
        trust_pem = anchor.read_bytes() if anchor else None
        if target.is_dir():
            from reelwright.verification import verify_package

            package = verify_package(target, trust_pem)
        else:
            from reelwright.compliance.signing import verify as verify_file

            result = verify_file(target, trust_pem)
    if target.is_dir():
        _report_package(package, as_json, anchor is None)
    from reelwright.compliance.signing import to_json

    if as_json:
        typer.echo(to_json(result))
    else:
        _report_file(target, result, anchor is None)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FAILED)


NO_ANCHOR = "no trust anchor: pass --trust CA.pem or run `reelwright init-signing`"


def _report_file(file: Path, result: Verification, no_anchor: bool) -> None:
    from reelwright.compliance.signing import summarise
    from reelwright.verification import signature_verdict

    s = summarise(result)
    verdict, detail = signature_verdict(result)
    typer.echo(f"{file}: {verdict} — {detail} (C2PA validation state: {result.state})")
    for a in s["actions"]:
        typer.echo(f"  action {a['action']}: {a['digitalSourceType']}")
    if s["signer"]["common_name"]:
        typer.echo(f"  signed by {s['signer']['common_name']} ({s['signer']['issuer']})")
    for failure in s["failures"]:
        typer.echo(f"  failure: {failure}")
    if no_anchor and verdict != "unsigned":
        typer.echo(f"  {NO_ANCHOR}")


def _report_package(package: PackageVerification, as_json: bool, no_anchor: bool) -> NoReturn:
    import json

    from rich.console import Console
    from rich.table import Table

    from reelwright.verification import NO_SIGNER

    if as_json:
        typer.echo(json.dumps(package.to_json(), indent=2))
        raise typer.Exit(EXIT_OK if package.ok else EXIT_FAILED)
    console = Console()
    table = Table(title=f"{package.root} · run {package.run_id} · {package.status}")
    table.add_column("file")
    table.add_column("verdict")
    table.add_column("detail")
    colour = {"ok": "green", "untrusted signer": "yellow"}
    for row in package.files:
        style = colour.get(row.verdict, "red")
        signer = f" ({row.signer})" if row.signer else ""
        table.add_row(row.file, f"[{style}]{row.verdict}[/]", row.detail + signer)
    console.print(table)
    bad = [f for f in package.files if not f.ok]
    if package.signed is False:
        typer.echo(f"not signed: the package was {NO_SIGNER}")
    elif no_anchor:
        typer.echo(NO_ANCHOR)
    if bad:
        counts: dict[str, int] = {}
        for f in bad:
            counts[f.verdict] = counts.get(f.verdict, 0) + 1
        summary = ", ".join(f"{n} {verdict}" for verdict, n in counts.items())
        typer.echo(f"FAILED: {summary} (of {len(package.files)} files)")
        raise typer.Exit(EXIT_FAILED)
    typer.echo(f"verified: all {len(package.files)} files match and are signed by a trusted signer")
    raise typer.Exit(EXIT_OK)
