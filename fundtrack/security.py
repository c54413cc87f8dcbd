"""Security headers on every response, and the proxy set-up behind a TLS terminator."""

from flask import g, request
from werkzeug.middleware.proxy_fix import ProxyFix

# Nothing inline and nothing from elsewhere: scripts, styles and images come from this site only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app) -> None:
    settings = app.extensions["fundtrack.settings"]
    if settings.app.behind_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    @app.after_request
    def add_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if settings.https:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        user = g.get("_login_user")  # as loaded for the request: never a query of its own here
        signed_in = request.endpoint != "static" and user is not None and user.is_authenticated
        if response.mimetype == "text/html" or signed_in:
            # Pages and a signed-in user's downloads hold personal data: kept in no cache. A calendar
            # subscription sets its own (private) caching before this.
            headers.setdefault("Cache-Control", "no-store")
        return response
