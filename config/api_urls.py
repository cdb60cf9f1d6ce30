"""The REST API under /api/ (see issue 2 for the contract shapes)."""

from django.urls import include, path

from accounts import api as accounts_api
from backtesting import api as backtesting_api
from backtesting.qcapi.account_api import AccountApi
from ide import api as ide_api
from ide import parameters_api
from nodes import api as nodes_api

urlpatterns = [
    path("auth/token/", accounts_api.TokenApi.as_view(), name="api-token"),
    path("auth/signup/", accounts_api.SignupApi.as_view(), name="api-signup"),
    path("me/", accounts_api.MeApi.as_view(), name="api-me"),
    path("account/", AccountApi.as_view(), name="api-account"),
    path("tiers/", accounts_api.TierListApi.as_view(), name="api-tiers"),
    path("organizations/", accounts_api.OrganizationListApi.as_view(), name="api-organizations"),
    path(
        "organizations/<int:pk>/",
        accounts_api.OrganizationDetailApi.as_view(),
        name="api-organization",
    ),
    path(
        "organizations/<int:pk>/tier/",
        accounts_api.OrganizationTierApi.as_view(),
        name="api-organization-tier",
    ),
    path(
        "organizations/<int:pk>/members/", accounts_api.MemberListApi.as_view(), name="api-members"
    ),
    path(
        "organizations/<int:pk>/members/<int:member_id>/",
        accounts_api.MemberDetailApi.as_view(),
        name="api-member",
    ),
    path("node-models/", nodes_api.NodeModelListApi.as_view(), name="api-node-models"),
    path("nodes/", nodes_api.NodeListApi.as_view(), name="api-nodes"),
    path("nodes/<int:pk>/", nodes_api.NodeDetailApi.as_view(), name="api-node"),
    path("nodes/<int:pk>/stop/", nodes_api.NodeStopApi.as_view(), name="api-node-stop"),
    path("projects/", ide_api.ProjectListApi.as_view(), name="api-projects"),
    path("projects/<int:pk>/", ide_api.ProjectDetailApi.as_view(), name="api-project"),
    path(
        "projects/<int:pk>/parameters/",
        parameters_api.ProjectParametersApi.as_view(),
        name="api-project-parameters",
    ),
    path("projects/<int:pk>/build/", ide_api.BuildApi.as_view(), name="api-project-build"),
    path("projects/<int:pk>/files/", ide_api.FileListApi.as_view(), name="api-files"),
    path("projects/<int:pk>/files/<path:name>", ide_api.FileDetailApi.as_view(), name="api-file"),
    path("backtests/", backtesting_api.BacktestListApi.as_view(), name="api-backtests"),
    path("backtests/<int:pk>/", backtesting_api.BacktestDetailApi.as_view(), name="api-backtest"),
    path(
        "backtests/<int:pk>/stop/",
        backtesting_api.BacktestStopApi.as_view(),
        name="api-backtest-stop",
    ),
    path(
        "backtests/<int:pk>/clone/",
        backtesting_api.BacktestCloneApi.as_view(),
        name="api-backtest-clone",
    ),
    path(
        "backtests/<int:pk>/logs/",
        backtesting_api.BacktestLogsApi.as_view(),
        name="api-backtest-logs",
    ),
    path(
        "backtests/<int:pk>/orders/",
        backtesting_api.BacktestOrdersApi.as_view(),
        name="api-backtest-orders",
    ),
    path(
        "backtests/<int:pk>/charts/",
        backtesting_api.BacktestChartsApi.as_view(),
        name="api-backtest-charts",
    ),
    path(
        "backtests/<int:pk>/events/",
        backtesting_api.BacktestEventsApi.as_view(),
        name="api-backtest-events",
    ),
    path("optimizations/", include("backtesting.optimization.urls")),
]
