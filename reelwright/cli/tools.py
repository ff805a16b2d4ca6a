"""`reelwright screen`, `init-signing` and `verify`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reelwright.cli.app import (
    EXIT_FAILED,
    EXIT_OK,
    app,
    load_settings,
    user_errors,
)


@app.command()
def screen(
    text: Annotated[str | None, typer.Argument(help="Text to screen (or use --file).")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Screen this UTF-8 text file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    watchlist: Annotated[list[Path] | None, typer.Option(help="Extra watchlist YAML.")] = None,
    allow: Annotated[
        list[str] | None, typer.Option(help="Watchlist entry cleared by the project.")
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
    file: Annotated[Path, typer.Argument(help="A signed frame (PNG/JPEG) or animatic (MP4).")],
    trust: Annotated[
        Path | None,
        typer.Option(help="CA certificate (PEM) to trust; default: the project's configured CA."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Report a file's C2PA manifest and validation state. Exit 0 only for a valid manifest
    from a trusted signer; 1 for tampered, untrusted or unsigned files; 2 on bad input."""
    with user_errors("verify"):
        from reelwright.compliance.signing import signing_config, summarise, to_json
        from reelwright.compliance.signing import verify as verify_file
        from reelwright.errors import InputError

        if trust is not None and not trust.is_file():
            raise InputError(f"--trust {trust}: no such file")
        anchor = trust
        if anchor is None:
            config = signing_config(load_settings().home)
            anchor = config.ca if config else None
        result = verify_file(file, anchor.read_bytes() if anchor else None)
    if as_json:
        typer.echo(to_json(result))
    else:
        s = summarise(result)
        trusted = " (trusted signer)" if s["trusted"] else " (signer not trusted)"
        typer.echo(f"{file}: {s['validation_state']}{trusted}")
        for a in s["actions"]:
            typer.echo(f"  action {a['action']}: {a['digitalSourceType']}")
        if s["signer"]["common_name"]:
            typer.echo(f"  signed by {s['signer']['common_name']} ({s['signer']['issuer']})")
        for failure in s["failures"]:
            typer.echo(f"  failure: {failure}")
        if anchor is None:
            typer.echo("  no trust anchor: pass --trust CA.pem or run `reelwright init-signing`")
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FAILED)
