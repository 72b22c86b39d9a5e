"""The goals admin is scoped to the staff member's organisation and does not rewrite
the cascade's links or the check-in history."""

from django.contrib.auth.models import Permission
from django.urls import reverse


def test_goal_admin_is_scoped_and_keeps_links_read_only(world, cascade, as_user):
    world.hr.is_staff = True
    world.hr.save()
    world.hr.user_permissions.set(Permission.objects.filter(content_type__app_label="goals"))
    client = as_user(world.hr)
    listing = client.get(reverse("admin:goals_goal_changelist")).content.decode()
    assert cascade.team_goal.title in listing
    assert cascade.elsewhere_goal.title not in listing
    elsewhere = reverse("admin:goals_goal_change", args=[cascade.elsewhere_goal.pk])
    assert client.get(elsewhere).status_code == 302  # "does not exist" → changelist
    change = client.get(reverse("admin:goals_goal_change", args=[cascade.employee_goal.pk]))
    assert change.status_code == 200
    assert 'name="parent"' not in change.content.decode()
    assert client.get(reverse("admin:goals_goal_add")).status_code == 403
