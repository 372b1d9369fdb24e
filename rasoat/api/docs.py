"""The readable API docs at /api/v1/docs: Swagger UI from rasoat/static/vendor, no CDN, no inline code.

Swagger UI rather than Redoc: Redoc injects <style> elements at run time, which the
Content-Security-Policy (style-src 'self') refuses; Swagger UI styles through its stylesheet.
The configuration travels in a JSON data block read by api/swagger-init.js (no inline script), and
`validatorUrl` is null so the page never calls the public validator.
"""

from django.shortcuts import render
from ninja.openapi.docs import DocsBase


class VendoredSwagger(DocsBase):
    def render_page(self, request, api, **kwargs):
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
            "validatorUrl": None,
        }
        return render(request, "api/docs.html", {"settings": settings, "api": api})
