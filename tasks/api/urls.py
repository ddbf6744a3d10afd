"""REST API routes (DRF)."""
urlpatterns = []
