"""Staff interface for organizations, users and memberships."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, Q
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..models import Membership, Organization, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "invitation_sent_at", "created_at"]
    readonly_fields = ["invitation_sent_at", "created_at"]
    raw_id_fields = ["user"]
    extra = 0
    show_change_link = False


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = [
        "name", "kind", "sector", "is_public_administration", "country", "region",
        "member_count", "is_active",
    ]
    list_filter = ["kind", "sector", "is_public_administration", "country", "is_active"]
    search_fields = ["name", "region", "contact_name", "contact_email"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "kind", "sector", "is_public_administration", "is_active"]}),
        ("Location", {"fields": ["country", "region"]}),
        ("Contact", {"fields": ["contact_name", "contact_email", "contact_phone", "website"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=Count("memberships", filter=Q(memberships__user__is_active=True))
            )
        )

    @admin.display(ordering="member_count", description="Members")
    def member_count(self, organization):
        return organization.member_count


class UserMembershipInline(admin.StackedInline):
    model = Membership
    fields = ["organization", "role", "invitation_sent_at"]
    readonly_fields = ["invitation_sent_at"]
    can_delete = False
    extra = 0
    max_num = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = [
        "username", "email", "first_name", "last_name", "organization", "role", "is_staff",
        "is_active",
    ]
    list_filter = [
        "is_staff", "is_active", "membership__role", "membership__organization__kind",
        "membership__organization",
    ]
    search_fields = [
        "username", "email", "first_name", "last_name", "membership__organization__name",
    ]
    list_select_related = ["membership__organization"]
    inlines = [UserMembershipInline]
    actions = ["send_invitation"]

    @admin.display(ordering="membership__organization__name")
    def organization(self, user):
        membership = getattr(user, "membership", None)
        return membership.organization if membership else "—"

    @admin.display(ordering="membership__role")
    def role(self, user):
        membership = getattr(user, "membership", None)
        return membership.get_role_display() if membership else "—"

    @admin.action(description="Send the invitation e-mail to users without a password")
    def send_invitation(self, request, queryset):
        sent = skipped = 0
        for user in queryset.select_related("membership"):
            try:
                services.user_invite(user=user)
            except services.InvitationError:
                skipped += 1
            else:
                sent += 1
        self.message_user(request, f"{sent} invitation(s) queued.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} user(s) skipped: no organization, or a password is already set.",
                messages.WARNING,
            )


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "role", "invitation_sent_at", "created_at"]
    list_filter = ["role", "organization__kind", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["user"]
    readonly_fields = ["invitation_requested_at", "invitation_sent_at", "created_at"]
