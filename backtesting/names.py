"""Three-word backtest names ("Swimming Violet Kangaroo"), like QuantConnect's."""

from __future__ import annotations

import random

_ADJECTIVES = """Adaptable Agile Alert Brave Bright Calm Careful Clever Curious Daring Eager
Energetic Fearless Focused Gentle Graceful Happy Hopeful Humble Jolly Keen Lively Lucky Mellow
Nimble Patient Placid Plucky Quick Quiet Radiant Restless Sleepy Smooth Sturdy Swift Tranquil
Vibrant Wandering Wise Zealous""".split()

_COLORS = """Amber Apricot Azure Beige Black Blue Bronze Brown Crimson Cyan Emerald Fuchsia
Gold Gray Green Indigo Ivory Lavender Lemon Lime Magenta Maroon Mint Navy Olive Orange Peach
Pink Plum Purple Red Rose Ruby Salmon Scarlet Silver Tan Teal Turquoise Violet White Yellow""".split()

_ANIMALS = """Albatross Alligator Antelope Badger Bat Bear Beaver Bison Buffalo Butterfly Camel
Cat Cheetah Cobra Coyote Crab Crocodile Deer Dog Dolphin Dove Eagle Elephant Falcon Ferret
Flamingo Fox Frog Gazelle Giraffe Goat Gorilla Hawk Hedgehog Heron Horse Hyena Jaguar Kangaroo
Koala Lemur Leopard Lion Llama Lobster Lynx Meerkat Mole Moose Narwhal Octopus Otter Owl
Panda Panther Parrot Pelican Penguin Rabbit Raccoon Rhinoceros Salamander Seal Shark Sheep
Sloth Snake Sparrow Squirrel Swan Tiger Toucan Turtle Walrus Whale Wolf Zebra""".split()

_random = random.SystemRandom()


def generate_name() -> str:
    """An adjective, a colour and an animal; about 150,000 combinations."""
    return f"{_random.choice(_ADJECTIVES)} {_random.choice(_COLORS)} {_random.choice(_ANIMALS)}"
