from django.urls import path

from kvalis.homes import views

app_name = "homes"

urlpatterns = [
    path("home/", views.home, name="home"),
]
