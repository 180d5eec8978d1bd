"""Upload the web client to the deployed stage's bucket: ``make deploy`` runs it after
``cdk deploy --outputs-file cdk.out/outputs.json``.

    python -m infrastructure.publish_web cdk.out/outputs.json [web-dir]

Files go to the bucket behind CloudFront (stack output ``WebBucket``) with their
content types, with ``web-config.json`` (how the client signs in and where the API
is; the local twin's API server answers that path itself); then the distribution
(``DistributionId``) is told to drop its cached copies. Uses the same AWS
credentials as ``cdk deploy``.
"""

from __future__ import annotations

import json
import mimetypes
import sys
import time
from pathlib import Path

import boto3

from chalicelib.config import PROJECT_ROOT, get_settings
from chalicelib.videos.schemas import ALLOWED_CONTENT_TYPES, ALLOWED_EXTENSIONS

DEFAULT_WEB_DIR = PROJECT_ROOT / "web"
# Build tooling and sources are not served.
SKIPPED_PARTS = {"node_modules", "src", ".cache"}


def stack_outputs(outputs_file: Path) -> dict[str, str]:
    """The outputs of the one ClassReel stack in ``cdk deploy --outputs-file``'s file."""
    stacks: dict[str, dict[str, str]] = json.loads(outputs_file.read_text())
    (outputs,) = [v for k, v in stacks.items() if k.startswith("ClassReel-")]
    return outputs


def served_root(web_dir: Path) -> Path:
    """``web/dist`` when the client has a build output, else ``web/`` itself."""
    return web_dir / "dist" if (web_dir / "dist" / "index.html").is_file() else web_dir


def web_files(served: Path) -> list[Path]:
    if not served.is_dir():
        return []
    return sorted(
        path
        for path in served.rglob("*")
        if path.is_file() and not SKIPPED_PARTS & set(path.relative_to(served).parts)
    )


def web_config(outputs: dict[str, str], region: str) -> dict[str, object]:
    """The deployed client's ``/web-config.json``: Cognito sign-in, the API under /api."""
    return {
        "auth": "cognito",
        "api_base": "/api",
        "region": region,
        "user_pool_id": outputs["UserPoolId"],
        "client_id": outputs["UserPoolClientId"],
        # Cognito's hosted UI: the client signs in there (code + PKCE, web/src/pkce.js).
        "hosted_ui_url": outputs["HostedUiUrl"],
        "upload": {
            "max_bytes": get_settings().max_upload_bytes,
            "extensions": list(ALLOWED_EXTENSIONS),
            "content_types": list(ALLOWED_CONTENT_TYPES),
        },
    }


def publish(outputs_file: Path, web_dir: Path) -> int:
    outputs = stack_outputs(outputs_file)
    root = served_root(web_dir)
    files = web_files(root)
    if not files:
        print(f"no web client under {web_dir}: nothing to publish")
        return 0
    s3 = boto3.client("s3")
    for path in files:
        key = path.relative_to(root).as_posix()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        s3.upload_file(
            str(path), outputs["WebBucket"], key, ExtraArgs={"ContentType": content_type}
        )
    s3.put_object(
        Bucket=outputs["WebBucket"],
        Key="web-config.json",
        Body=json.dumps(web_config(outputs, s3.meta.region_name)).encode(),
        ContentType="application/json",
        CacheControl="no-cache",
    )
    boto3.client("cloudfront").create_invalidation(
        DistributionId=outputs["DistributionId"],
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"classreel-{time.time_ns()}",
        },
    )
    print(f"published {len(files)} files to {outputs['WebUrl']}")
    return len(files)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    web_dir = Path(args[1]) if len(args) > 1 else DEFAULT_WEB_DIR
    publish(Path(args[0]), web_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
