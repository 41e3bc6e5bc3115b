from django.urls import path

from indicators import questionnaire_views, rating_views, scheme_views

app_name = "indicators"

urlpatterns = []

# Ratings of the qualitative indicators (regulation 三.4) and client questionnaire links (三.3).
urlpatterns += [
    path("ratings/", rating_views.ratings_todo, name="ratings_todo"),
    path("ratings/mine/", rating_views.my_ratings, name="my_ratings"),
    path("ratings/<int:pk>/", rating_views.rating_give, name="rating_give"),
    path("rating-rounds/", rating_views.rating_rounds, name="rating_rounds"),
    path("rating-rounds/open/", rating_views.rating_round_open, name="rating_round_open"),
    path("rating-rounds/<int:pk>/", rating_views.rating_round_detail, name="rating_round"),
    path("rating-rounds/<int:pk>/calibration/", rating_views.rating_round_calibration, name="rating_round_calibration"),
    path("rating-rounds/<int:pk>/add/", rating_views.rating_assignment_add, name="rating_assignment_add"),
    path(
        "rating-rounds/<int:pk>/remove/<int:assignment_pk>/",
        rating_views.rating_assignment_remove,
        name="rating_assignment_remove",
    ),
    path("rating-rounds/<int:pk>/close/", rating_views.rating_round_close, name="rating_round_close"),
    path("questionnaires/", questionnaire_views.questionnaire_links, name="questionnaire_links"),
    path("questionnaires/new/", questionnaire_views.questionnaire_link_create, name="questionnaire_link_create"),
    path(
        "questionnaires/<int:pk>/created/",
        questionnaire_views.questionnaire_link_created,
        name="questionnaire_link_created",
    ),
]

# The indicator catalogue (regulation 三.2) and the quarterly schemes the leadership group approves (二.1).
urlpatterns += [
    path("catalogue/", scheme_views.catalogue, name="catalogue"),
    path("schemes/", scheme_views.scheme_list, name="schemes"),
    path("schemes/<int:pk>/", scheme_views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/items/<slug:position>/", scheme_views.scheme_edit_items, name="scheme_edit_items"),
    path("schemes/<int:pk>/grade-bands/", scheme_views.scheme_edit_bands, name="scheme_edit_bands"),
    path("schemes/<int:pk>/parameters/", scheme_views.scheme_edit_parameters, name="scheme_edit_parameters"),
    path("schemes/<int:pk>/submit/", scheme_views.scheme_submit, name="scheme_submit"),
    path("schemes/<int:pk>/approve/", scheme_views.scheme_approve, name="scheme_approve"),
    path("schemes/<int:pk>/return/", scheme_views.scheme_return, name="scheme_return"),
    path("schemes/<int:pk>/compare/", scheme_views.scheme_compare, name="scheme_compare"),
    path("schemes/<int:pk>/new-version/", scheme_views.scheme_new_version, name="scheme_new_version"),
    path("schemes/<int:pk>/what-if/", scheme_views.scheme_whatif, name="scheme_whatif"),
]

# Results and their explanations: every number shows how it was computed (docs/regulation.md, 一.3).
urlpatterns += []
