from django.contrib.auth import views as auth_views
from django.urls import path

from guanxi.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("agents/", views.roster, name="roster"),
    path("users/", views.users, name="users"),
    path("users/<int:pk>/role/", views.user_role, name="user_role"),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
]
