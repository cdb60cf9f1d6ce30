"""Carry DRF authtoken tokens (stored in clear) over to hashed ApiToken rows, so existing
API clients keep working, then delete the clear copies."""

import hashlib

from django.db import migrations


def carry_over(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id FROM authtoken_token")
        rows = cursor.fetchall()
        for key, user_id in rows:
            digest = hashlib.sha256(key.encode()).hexdigest()
            ApiToken.objects.get_or_create(digest=digest, defaults={"user_id": user_id})
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_api_token")]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
