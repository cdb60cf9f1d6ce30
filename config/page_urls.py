"""HTML pages (included at the root of config/urls.py). Data comes from /api/ and websockets."""

from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import path

from accounts import pages as accounts_pages
from backtesting import pages as backtesting_pages
from backtesting.optimization import pages as optimization_pages
from backtesting.qcapi import pages as qcapi_pages
from ide import pages as ide_pages
from nodes import pages as nodes_pages

urlpatterns = [
    path("", accounts_pages.home, name="home"),
    path("login/", accounts_pages.LoginPage.as_view(), name="login"),
    path("logout/", accounts_pages.LogoutPage.as_view(), name="logout"),
    path("signup/", accounts_pages.signup, name="signup"),
    path("account/", qcapi_pages.account, name="account"),
    path("organization/", accounts_pages.organization, name="organization"),
    path("organizations/<int:org_id>/", accounts_pages.organization, name="organization-detail"),
    path("projects/", ide_pages.project_list, name="project-list"),
    path("projects/<int:project_id>/", ide_pages.ide, name="ide"),
    path(
        "projects/<int:project_id>/backtests/",
        backtesting_pages.backtest_history,
        name="backtest-history",
    ),
    path(
        "backtests/<int:backtest_id>/", backtesting_pages.backtest_results, name="backtest-results"
    ),
    path("resources/", nodes_pages.resources, name="resources"),
    path(
        "projects/<int:project_id>/optimize/",
        optimization_pages.optimization_launch,
        name="optimization-launch",
    ),
    path(
        "optimizations/<int:optimization_id>/",
        optimization_pages.optimization_results,
        name="optimization-results",
    ),
]

# With DEBUG on, serve static/ from the app server itself: `make run` is plain daphne, which
# (unlike runserver) has no static handler. With DEBUG off this adds nothing; serve
# `collectstatic`'s STATIC_ROOT from the proxy in front of daphne.
urlpatterns += staticfiles_urlpatterns()
