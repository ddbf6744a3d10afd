"""The units' web portal."""
app_name = "portal"
urlpatterns = []
