# Routes of duplicate review and registry export (duplicates helper owns this file).
urlpatterns: list = []
