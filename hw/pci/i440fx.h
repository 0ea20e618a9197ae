/*
 * i440fx.h - the i440FX host bridge ("i440fx-host"): owner of the PCI bus
 * and of configuration mechanism #1.
 */
#ifndef VIREO_HW_PCI_I440FX_H
#define VIREO_HW_PCI_I440FX_H

struct device;
struct pci_bus;

/* The bus behind the host bridge (valid after realize), to hand to the
 * other PCI devices with pci_device_set_bus and to wire INTx routing. */
struct pci_bus *i440fx_bus(struct device *host);

#endif
