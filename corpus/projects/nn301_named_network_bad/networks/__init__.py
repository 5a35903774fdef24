# expect: none
"""Builds the network the configuration names (``--arch networks.edgenet.EdgeSegNet``): the module is
imported by name and the class taken from it with getattr, so no line here says which class it is."""
import importlib


def build_network(arch, num_classes, criterion):
    module_name, _, class_name = arch.rpartition(".")
    module = importlib.import_module(module_name)
    network_class = getattr(module, class_name)
    return network_class(num_classes=num_classes, criterion=criterion)


def get_network(args, criterion):
    net = build_network(args.arch, args.num_classes, criterion)
    return net
