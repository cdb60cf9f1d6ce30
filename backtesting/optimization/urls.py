"""REST routes of optimizations, included under /api/optimizations/ by config/api_urls.py."""

from django.urls import path

from backtesting.optimization import api

urlpatterns = [
    path("", api.OptimizationListApi.as_view(), name="api-optimizations"),
    path("estimate/", api.OptimizationEstimateApi.as_view(), name="api-optimization-estimate"),
    path("<int:pk>/", api.OptimizationDetailApi.as_view(), name="api-optimization"),
    path("<int:pk>/abort/", api.OptimizationAbortApi.as_view(), name="api-optimization-abort"),
]
