"""Each side prepares with its own questions (issue 16): the default questions written to
the employee ("Wat heb je nodig van je leidinggevende?") are asked of the employee only,
and the manager gets their counterpart. Questions an organisation wrote itself stay for
both sides. The texts are copied here: a data migration does not import app code."""

from django.db import migrations

# Employee question (Dutch, as the defaults were) -> the manager's counterpart.
COUNTERPARTS = {
    "Hoe zijn je energie en je werkdruk op dit moment?": (
        "Hoe zie jij de energie en de werkdruk van je medewerker op dit moment?",
        "How do you see your report's energy and workload at the moment?",
    ),
    "Wat wil je leren of verder ontwikkelen?": (
        "Waarin zie je je medewerker groeien, en wat vraagt de organisatie?",
        "Where do you see your report grow, and what does the organisation ask?",
    ),
    "Wat heb je nodig van je leidinggevende of je team?": (
        "Wat kun jij doen om je medewerker te ondersteunen?",
        "What can you do to support your report?",
    ),
    "Wat wil je in je eerste maanden bereiken?": (
        "Wat verwacht je van je nieuwe medewerker in de eerste maanden, en hoe help je op weg?",
        "What do you expect of your new report in the first months, and how will you help?",
    ),
    "Hoe staan je doelen en ontwikkelacties ervoor?": (
        "Hoe staan de doelen en ontwikkelacties van je medewerker ervoor?",
        "Where do your report's goals and development actions stand?",
    ),
    "Welke resultaten ben je het meest trots op dit jaar?": (
        "Welke resultaten van je medewerker wil je dit jaar waarderen?",
        "Which results of your report do you want to recognise this year?",
    ),
    "Waar wil je over twee jaar staan?": (
        "Waar zie je je medewerker over twee jaar?",
        "Where do you see your report in two years?",
    ),
}


def split_questions(apps, schema_editor):
    Question = apps.get_model("conversations", "PreparationQuestion")
    for question in Question.objects.filter(text_nl__in=list(COUNTERPARTS), audience="both"):
        question.audience = "employee"
        question.save(update_fields=["audience"])
        dutch, english = COUNTERPARTS[question.text_nl]
        if not Question.objects.filter(
            organisation_id=question.organisation_id, kind=question.kind, text_nl=dutch
        ).exists():
            Question.objects.create(
                organisation_id=question.organisation_id,
                kind=question.kind,
                audience="manager",
                position=question.position,
                text_nl=dutch,
                text_en=english,
                is_active=question.is_active,
            )


def join_questions(apps, schema_editor):
    Question = apps.get_model("conversations", "PreparationQuestion")
    Question.objects.filter(
        audience="manager", text_nl__in=[d for d, _e in COUNTERPARTS.values()]
    ).delete()
    Question.objects.update(audience="both")


class Migration(migrations.Migration):
    dependencies = [("conversations", "0006_preparation_question_audience")]

    operations = [migrations.RunPython(split_questions, join_questions)]
