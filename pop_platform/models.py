"""Abstract base model shared by the apps. No domain models live here."""

import uuid

from django.db import models


class BaseModel(models.Model):
    """Integer primary key inside, a random UUID outside (URLs, e-mails, exports)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
