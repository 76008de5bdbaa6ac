from django.core.management.base import BaseCommand

from shegong.core.demo import DEMO_PASSWORD, demo_logins, load_demo


class Command(BaseCommand):
    help = "Load demo data: made-up villages, two agencies and one account per role."

    def handle(self, *args, **options):
        counts = load_demo()
        self.stdout.write(
            f"demo data: {counts['villages']} villages, {counts['users']} accounts, "
            f"{counts['households']} households, {counts['cases']} cases created"
        )
        self.stdout.write(f"demo logins (password {DEMO_PASSWORD}):")
        for username, label in demo_logins():
            self.stdout.write(f"  {username:16} {label}")
