from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from people.access import roles_for
from people.selectors import person_profile


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Who you are: name, unit, line manager and role. Later issues add what to do next."""
    person = person_profile(user_id=request.user.pk)
    return render(
        request, "dashboards/home.html", {"person": person, "person_roles": roles_for(person)}
    )
