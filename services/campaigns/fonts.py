"""Where the referral posters' CJK font is: one place for the poster code and the deployment.

Source Han Sans (思源黑体, SIL Open Font License), from the npm package ``source-han-sans-cn`` pinned
in web/package.json. The deployment copies the file into a Lambda layer, which AWS mounts under
``/opt``; on a laptop it is read where npm put it."""

from __future__ import annotations

from pathlib import Path

FONT_FILE = "SourceHanSansCN-Medium.otf"
INSTALLED = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "source-han-sans-cn" / FONT_FILE
LAYER_FOLDER = "fonts"  # in the layer; AWS mounts it at /opt/fonts
IN_LAMBDA = Path("/opt") / LAYER_FOLDER / FONT_FILE
