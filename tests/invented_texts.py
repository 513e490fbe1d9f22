"""Short articles written for the tests (no corpus text), shared by several test modules."""

#: An invented opinion piece with name calling, doubt, fear and one plain reported sentence.
ARTICLE = (
    "The Council's Betrayal Is Complete\n\n"
    "Every honest resident knows the truth: this gang of reckless bureaucrats has lied to us "
    "again. Who could possibly believe a word they say after the bridge fiasco?\n"
    "The mayor said on Tuesday that repairs would start in June and cost 4 million euros.\n"
    "If we let them continue, our town will be bankrupt and our children will pay for it."
)
