import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_audit_append_only_trigger"),
    ]

    operations = [
        # Throttle rows are short-lived counters; the new keying starts them afresh.
        migrations.DeleteModel(name="LoginThrottle"),
        migrations.CreateModel(
            name="LoginThrottle",
            fields=[
                ("key", models.CharField(max_length=250, primary_key=True, serialize=False)),
                ("failures", models.PositiveIntegerField(default=0)),
                ("first_failure_at", models.DateTimeField(null=True)),
                ("last_failure_at", models.DateTimeField(db_index=True, null=True)),
                ("locked_until", models.DateTimeField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(blank=True, max_length=50, verbose_name="用途")),
                ("key_hash", models.CharField(max_length=64, unique=True)),
                ("key_prefix", models.CharField(max_length=8, verbose_name="开头")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="签发时间"
                    ),
                ),
                ("expires_at", models.DateTimeField(verbose_name="到期时间")),
                (
                    "last_used_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="最近使用"),
                ),
                (
                    "revoked_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="撤销时间"),
                ),
                (
                    "revoked_reason",
                    models.CharField(blank=True, max_length=32, verbose_name="撤销原因"),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "API 令牌",
                "verbose_name_plural": "API 令牌",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="AuditFiling",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="filings",
                        to="core.auditevent",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="core.region"
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["region", "event"], name="audit_filing_region")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("event", "region"), name="audit_filing_unique"
                    )
                ],
            },
        ),
    ]
