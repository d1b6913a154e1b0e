"""Texts written for this course's plagiarism sample (none comes from Wikipedia or the corpus).

For each of the five tasks of the Clough & Stevenson corpus (a: inheritance in object-oriented
programming, b: PageRank, c: the vector space model, d: Bayes' theorem, e: dynamic programming):

- ``SOURCES``: the source text answers may copy from (the corpus's ``orig_task*.txt``);
- ``OWN_WORDS``: sentences on the same topic phrased independently of the source, from which the
  generator composes answers that copy nothing.
"""

SOURCES = {
    "a": (
        "Inheritance lets a programmer define a new class by extending an existing one. "
        "The new class, called the subclass, receives the attributes and methods of the parent "
        "class without copying their code. A subclass may add behaviour of its own or override "
        "a method of the parent to change what it does. This mechanism supports the reuse of "
        "tested code and lets programs be organised as a hierarchy of general and specialised "
        "types. Because an object of the subclass can be used wherever the parent type is "
        "expected, inheritance also enables polymorphism. Languages differ in whether a class "
        "may inherit from several parents at once, which is known as multiple inheritance. "
        "Deep inheritance hierarchies can make code hard to follow, so many designers prefer "
        "composition when the relationship between two types is not a true is-a relationship."
    ),
    "b": (
        "PageRank is an algorithm that ranks web pages by the structure of the links between "
        "them. Its central idea is that a page is important when many important pages link to "
        "it. Each page distributes its own score evenly among the pages it links to, and the "
        "score of a page is the sum of the shares it receives. The computation is repeated until "
        "the scores stop changing, which gives the stationary distribution of a random surfer "
        "who follows links at random. A damping factor models the chance that the surfer jumps "
        "to an arbitrary page instead of following a link, which guarantees that the iteration "
        "converges. The algorithm was developed at Stanford University by the founders of "
        "Google and was central to the early success of their search engine. Link analysis of "
        "this kind is hard to manipulate because a page cannot easily control who links to it."
    ),
    "c": (
        "The vector space model represents text documents as vectors of numbers. Each dimension "
        "of the vector corresponds to a term of the vocabulary, and its value records how "
        "important the term is in the document. A common weighting multiplies the frequency of "
        "the term in the document by the inverse document frequency, which lowers the weight of "
        "terms that occur in many documents. A query is represented in the same way, so that "
        "documents can be ranked by their similarity to the query. Similarity is usually "
        "measured by the cosine of the angle between two vectors, which ignores the length of "
        "the documents. The model is simple and effective, but it treats terms as independent "
        "and ignores the order in which words appear. It remains the basis of many information "
        "retrieval systems and of techniques that compare documents automatically."
    ),
    "d": (
        "Bayes' theorem describes how the probability of a hypothesis should change when new "
        "evidence is observed. It states that the posterior probability of the hypothesis is "
        "proportional to the prior probability multiplied by the likelihood of the evidence "
        "under that hypothesis. The prior expresses what was believed before the evidence, and "
        "the likelihood expresses how well the hypothesis predicts what was seen. Dividing by "
        "the total probability of the evidence makes the posterior probabilities sum to one. "
        "The theorem is named after Thomas Bayes, an English minister whose work on the subject "
        "was published after his death. It is the foundation of Bayesian statistics and of many "
        "methods in machine learning, such as naive Bayes classifiers for filtering spam. A "
        "classic example shows that a positive medical test may still leave a rare disease "
        "unlikely when the prior probability is very small."
    ),
    "e": (
        "Dynamic programming is a method for solving problems by breaking them into overlapping "
        "subproblems. Each subproblem is solved only once and its answer is stored in a table, "
        "so that later steps can look it up instead of computing it again. The method applies "
        "when a problem has optimal substructure, which means that an optimal solution can be "
        "built from optimal solutions of its subproblems. Solutions may be computed top down "
        "with memoisation or bottom up by filling the table in a suitable order. The term was "
        "introduced by Richard Bellman in the nineteen fifties while he worked on planning "
        "problems. Typical applications include finding shortest paths in graphs, aligning "
        "sequences of DNA and computing the longest common subsequence of two strings. The "
        "technique often turns an exponential search into an algorithm of polynomial time."
    ),
}

OWN_WORDS = {
    "a": [
        "In object oriented design a child type can take over everything a base type offers.",
        "I think of it as a family tree of classes where features flow downwards.",
        "When the child needs different behaviour it simply writes its own version of a method.",
        "Reusing a base class saves effort because shared logic lives in one place.",
        "Java allows only one direct superclass while C++ lets a type have several.",
        "Code that expects an animal will happily accept a dog or a cat object.",
        "Too many levels of extension make a system fragile and difficult to change.",
        "An alternative is to build objects out of smaller parts rather than extending them.",
        "Abstract classes declare methods that the children are required to provide.",
        "The idea appeared in Simula and became popular with Smalltalk in the seventies.",
    ],
    "b": [
        "Search engines need a way to decide which results deserve to be shown first.",
        "Google's approach counts links as votes but weighs each vote by who casts it.",
        "A link from a popular site is worth more than many links from unknown pages.",
        "You can picture someone clicking around the web forever and noting where they end up.",
        "The scores are found by repeating a simple update many times over the whole graph.",
        "Sometimes the imaginary visitor gets bored and starts again on a random site.",
        "Larry Page and Sergey Brin described the method in a paper in the late nineties.",
        "Spammers later built link farms to try to inflate the ranking of their sites.",
        "Mathematically the ranks form the main eigenvector of a modified link matrix.",
        "Modern ranking combines this signal with hundreds of other features.",
    ],
    "c": [
        "Computers cannot compare documents directly so text is first turned into numbers.",
        "Every word that appears anywhere in the collection gets its own axis.",
        "Rare words are more telling than common ones and so receive a larger weight.",
        "Searching then becomes a geometric problem of finding the nearest documents.",
        "Two texts pointing in the same direction are considered to be about the same thing.",
        "Long and short documents can still match because only the direction matters.",
        "Gerard Salton and his colleagues built the SMART system on this idea.",
        "Its weakness is that synonyms look unrelated and word order is thrown away.",
        "Later approaches such as latent semantic analysis try to capture hidden topics.",
        "Today learned embeddings often replace the raw counts of words.",
    ],
    "d": [
        "Probability can be used to update our beliefs as we learn new facts.",
        "We start with an initial guess and revise it after seeing data.",
        "The rule links the chance of a cause given an effect to the chance of the effect given "
        "the cause.",
        "Doctors use this reasoning when interpreting the result of a screening test.",
        "If an illness is very rare most positive results may turn out to be false alarms.",
        "Email filters learn which words are common in junk mail and score new messages.",
        "The formula was published in the eighteenth century by a friend of its author.",
        "Laplace later developed the same ideas much further and applied them widely.",
        "Critics argued that choosing the starting belief is too subjective.",
        "Modern computers make it possible to apply the rule to very complex models.",
    ],
    "e": [
        "Some problems contain the same smaller question many times over.",
        "Instead of solving it again and again we remember the answer the first time.",
        "A classic illustration is computing Fibonacci numbers with a lookup table.",
        "Recursive code becomes fast once repeated calls are cached.",
        "Alternatively the table can be filled iteratively from the smallest cases upwards.",
        "Bellman chose the name partly because it sounded impressive to funding agencies.",
        "Edit distance between two words is a common textbook exercise for this approach.",
        "Route planning and scheduling problems are often solved in this way.",
        "The key requirement is that the best overall answer uses best answers to parts.",
        "Greedy methods are simpler but do not always find the optimum.",
    ],
}

#: Words a learner might swap for others when disguising a copy ("light" and "heavy" answers).
SYNONYMS = {
    "lets": "allows", "define": "create", "new": "fresh", "existing": "current",
    "receives": "gets", "without": "with no", "may": "can", "add": "include",
    "change": "alter", "supports": "encourages", "organised": "arranged", "used": "applied",
    "expected": "required", "enables": "allows", "known": "referred to", "hard": "difficult",
    "prefer": "choose", "algorithm": "method", "ranks": "orders", "important": "significant",
    "many": "numerous", "distributes": "spreads", "evenly": "equally", "sum": "total",
    "repeated": "run again", "stop": "cease", "arbitrary": "random", "guarantees": "ensures",
    "developed": "created", "central": "key", "early": "initial", "represents": "describes",
    "numbers": "values", "corresponds": "relates", "records": "stores", "common": "popular",
    "lowers": "reduces", "occur": "appear", "ranked": "sorted", "similarity": "closeness",
    "usually": "typically", "measured": "computed", "simple": "straightforward",
    "effective": "successful", "ignores": "disregards", "basis": "foundation",
    "describes": "explains", "probability": "chance", "observed": "seen", "states": "says",
    "proportional": "in proportion", "believed": "thought", "expresses": "shows",
    "published": "printed", "foundation": "basis", "methods": "techniques",
    "classic": "well known", "rare": "uncommon", "unlikely": "improbable", "method": "way",
    "solving": "tackling", "breaking": "splitting", "stored": "kept", "table": "array",
    "applies": "works", "optimal": "best", "built": "constructed", "suitable": "sensible",
    "introduced": "coined", "typical": "standard", "include": "cover", "finding": "locating",
    "technique": "approach", "often": "frequently", "problems": "tasks",
}
