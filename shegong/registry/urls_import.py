# Routes of the registry import (importer helper owns this file).
urlpatterns: list = []
