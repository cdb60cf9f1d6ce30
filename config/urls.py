"""URL map: the admin, the REST API under /api/, the OpenAPI schema, the pages."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v2/", include("backtesting.qcapi.urls")),
    path("api/", include("config.api_urls")),
    path("", include("config.page_urls")),
]
