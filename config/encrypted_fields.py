"""Model fields whose values are encrypted in the database (see config.crypto).

Each deconstructs as its base field: the column type is unchanged and only the stored
values differ, so switching a field needs no schema migration in the owning app. Values
written before the switch (plaintext) are read as they are and encrypted when next saved;
a data migration (ide/migrations/0003_encrypt_at_rest.py) encrypts the existing rows.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from config import crypto


class EncryptedTextField(models.TextField):
    """Text stored as ``qdenc1:<fernet token>``."""

    purpose = "text"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or crypto.is_encrypted(value):
            return value
        return crypto.encrypt(value.encode(), self.purpose).decode()

    def from_db_value(self, value: Any, expression, connection) -> Any:
        if value is None or not crypto.is_encrypted(value):
            return value
        return crypto.decrypt(value.encode(), self.purpose).decode()

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


class EncryptedBinaryField(models.BinaryField):
    """Bytes stored encrypted (``qdenc1:`` + Fernet token)."""

    purpose = "binary"

    def get_db_prep_value(self, value: Any, connection, prepared: bool = False) -> Any:
        if value is not None and not crypto.is_encrypted(bytes(value)):
            value = crypto.encrypt(bytes(value), self.purpose)
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value: Any, expression, connection) -> Any:
        if value is None:
            return value
        value = bytes(value)
        return crypto.decrypt(value, self.purpose) if crypto.is_encrypted(value) else value

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.BinaryField", args, kwargs


class EncryptedJSONField(models.JSONField):
    """A JSON value stored as one JSON string holding the encrypted JSON text."""

    purpose = "json"

    def get_db_prep_value(self, value: Any, connection, prepared: bool = False) -> Any:
        if value is not None and not prepared:
            text = json.dumps(value, cls=self.encoder)
            value = crypto.encrypt(text.encode(), self.purpose).decode()
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value: Any, expression, connection) -> Any:
        value = super().from_db_value(value, expression, connection)
        if isinstance(value, str) and crypto.is_encrypted(value):
            return json.loads(crypto.decrypt(value.encode(), self.purpose), cls=self.decoder)
        return value

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs
