"""Signing in and out: the e-mail step (single sign-on or password), the second factor,
invitations, and sign-out that offers the provider's end-session."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import invitations, sso, two_factor
from .forms import EmailAuthenticationForm, EmailStepForm, InvitationPasswordForm, TwoFactorCodeForm


class SignInView(auth_views.LoginView):
    """Step one asks for the e-mail address. People of an organisation that signs in
    through its own provider go there (with a button, when passwords stay allowed too);
    everyone else gets the password field. A password step posts both fields."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        email = request.GET.get("email", "")
        step_form = EmailStepForm(initial={"username": email[:254]})
        return self.render_step(step_form=step_form)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if "password" in request.POST and "sso" not in request.POST:
            return super().post(request, *args, **kwargs)
        step_form = EmailStepForm(request.POST)
        if not step_form.is_valid():
            return self.render_step(step_form=step_form)
        email = step_form.cleaned_data["username"]
        row = sso.settings_for_email(email)
        if row is not None and ("sso" in request.POST or not row.passwords_allowed):
            return self.to_provider(row, email)
        form = self.get_form_class()(request, initial={"username": email})
        return self.render_step(form=form, email=email, sso_row=row)

    def to_provider(self, row, email: str) -> HttpResponse:
        """On to the organisation's provider. Not a redirect of this form's POST: the
        page's Content-Security-Policy (``form-action 'self'``) rightly forbids a form to
        end up on another site, so a page of ours takes the person there (at once, with
        a link as well)."""
        redirect_to = sso.provider_redirect(
            self.request, row=row, email=email, next_url=self.get_redirect_url()
        )
        context = {"url": redirect_to["Location"], "sso_row": row}
        return render(self.request, "registration/sso_redirect.html", context)

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        if two_factor.has_two_factor(user) or two_factor.required_for(user):
            two_factor.pending_start(self.request, user, next_url=self.get_success_url())
            if two_factor.has_two_factor(user):
                return redirect("two-factor-verify")
            return redirect("two-factor-setup")
        return super().form_valid(form)

    def form_invalid(self, form) -> HttpResponse:
        email = str(form.data.get("username", "")).strip().lower()[:254]
        row = sso.settings_for_email(email)
        if row is not None and not row.passwords_allowed:
            # Not "wrong password": this organisation has no passwords at all.
            form.errors.clear()
            form.add_error(
                None,
                _("%(organisation)s signs you in with its own sign-in service, not a password.")
                % {"organisation": row.organisation.name},
            )
        return self.render_step(form=form, email=email, sso_row=row)

    def render_step(self, *, step_form=None, form=None, email="", sso_row=None) -> HttpResponse:
        context = self.get_context_data(form=form)
        context.update(
            step="password" if form is not None else "email",
            step_form=step_form,
            email=email,
            sso_row=sso_row,
            end_session_url=self.request.session.pop(sso.END_SESSION_KEY, None)
            if self.request.method == "GET"
            else None,
        )
        return self.render_to_response(context)


class SignOutView(auth_views.LogoutView):
    """Ends the session here; after a single sign-on, the sign-in page then offers to
    sign out at the provider too."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        provider_id = request.session.get(sso.SESSION_KEY)
        end_session = sso.end_session_url(request, provider_id) if provider_id else None
        response = super().post(request, *args, **kwargs)
        if end_session:
            request.session[sso.END_SESSION_KEY] = end_session
        return response


def _next(request: HttpRequest, fallback: str) -> str:
    target = two_factor.pending_next(request)
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a password sign-in: the authenticator's code."""
    user = two_factor.pending_user(request)
    if user is None or not two_factor.has_two_factor(user):
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device, throttled = two_factor.verify(user, form.cleaned_data["code"])
        if device is not None:
            two_factor.finish_sign_in(request, user, device)
            return redirect(_next(request, reverse("dashboards:home")))
        form.add_error(
            "code",
            _("Too many wrong codes. Wait a minute and try again.")
            if throttled
            else _("This code is not right. Check the time on your phone and try again."),
        )
    return render(request, "registration/two_factor_verify.html", {"form": form, "person": user})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Right after the password, for someone whose organisation requires a second factor
    and who has none yet: set up the authenticator, then they are signed in."""
    user = two_factor.pending_user(request)
    if user is None or two_factor.has_two_factor(user):
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    device = two_factor.setup_device(request, user)
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.totp_confirm(request=request, user=user, code=form.cleaned_data["code"])
        if codes is not None:
            two_factor.finish_sign_in(request, user, two_factor.totp_device(user))
            request.session[two_factor.SHOW_CODES_KEY] = codes
            return redirect("people:two-factor")
        form.add_error(
            "code", _("This code is not right. Check the time on your phone and try again.")
        )
    context = {
        "form": form,
        "person": user,
        "secret": two_factor.secret_for_display(device),
        "qr_code": two_factor.qr_code(device),
        "required": True,
    }
    return render(request, "registration/two_factor_setup.html", context)


# --- Invitations --------------------------------------------------------------------------


def _invitation_problem(invitation) -> str:
    if invitation.accepted_at is not None:
        return _("This invitation has been used already. Sign in, or ask for a new password.")
    if invitation.revoked_at is not None:
        return _("A newer invitation replaced this one. Use the link in the newest e-mail.")
    if not invitation.person.is_active or invitation.person.has_left:
        return _("This account is no longer active.")
    return _("This invitation has expired.")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Set a password from an invitation's link: once, while it is valid."""
    invitation = invitations.invitation_from_token(token)
    if invitation is None:
        context = {"problem": _("This link is not valid. Use the link in your e-mail.")}
        return render(request, "registration/invitation_invalid.html", context, status=404)
    person = invitation.person
    if invitations.uses_single_sign_on_only(person):
        return redirect(f"{reverse('login')}?{urlencode({'email': person.email})}")
    if not invitations.invitation_usable(invitation):
        context = {
            "problem": _invitation_problem(invitation),
            "invitation": invitation,
            "token": token,
            "can_renew": person.is_active and invitation.accepted_at is None,
        }
        return render(request, "registration/invitation_invalid.html", context, status=410)
    form = InvitationPasswordForm(person, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except invitations.InvitationUnusable:
            return redirect("invitation-accept", token=token)
        messages.success(request, _("Your password is set. Sign in with it now."))
        return redirect(f"{reverse('login')}?{urlencode({'email': person.email})}")
    context = {"form": form, "person": person, "invitation": invitation}
    return render(request, "registration/invitation_accept.html", context)


@login_not_required
@require_POST
def invitation_renew(request: HttpRequest, token: str) -> HttpResponse:
    """From an expired or used link: ask HR for a new invitation (once per link)."""
    invitation = invitations.invitation_from_token(token)
    if invitation is None or not invitation.person.is_active:
        context = {"problem": _("This link is not valid. Use the link in your e-mail.")}
        return render(request, "registration/invitation_invalid.html", context, status=404)
    invitations.invitation_request_renewal(invitation=invitation)
    return render(request, "registration/invitation_renewal_asked.html", {"invitation": invitation})


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's; a person who sets a password this way has accepted their invitation."""

    def form_valid(self, form):
        response = super().form_valid(form)
        invitations.invitation_mark_accepted(person=form.user)
        return response
