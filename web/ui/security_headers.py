"""Security headers on every response (a test walks every route and checks them).

- Content-Security-Policy: scripts, styles and fonts from this origin only — no inline script or
  style anywhere (templates use classes; session.js is a file); `data:` images for the QR code and
  the icons inside the KERN stylesheet; no framing (`frame-ancestors 'none'`, and X-Frame-Options
  for old browsers); forms post to this origin only.
- `Cache-Control: no-store` on every response but static files: pages of signed-in users and every
  API response carry case data, and a sign-in page kept in a shared browser's cache helps nobody.
- HSTS only on HTTPS requests (behind a reverse proxy: `SCHUTZPFAD_TRUSTED_PROXIES`, so that
  X-Forwarded-Proto is believed); over plain HTTP the header would be ignored anyway.
- Referrer-Policy `same-origin`: case URLs never reach another site, while the CSRF check over HTTPS
  still sees this site's own Referer.
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

HSTS = "max-age=31536000; includeSubDomains"

STATIC_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def apply(response: Response) -> Response:
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        response.headers.pop("ETag", None)
        response.headers.pop("Last-Modified", None)
    return response


def register(app: Flask) -> None:
    app.after_request(apply)
